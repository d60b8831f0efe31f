"""Which places' stored events wait before being handled, and the order they go in after: an
adapter catching up (the port's `Holds`) holds a platform, then each room it fetches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypeVar

from warroom.bot.domain.events import Inbound, RoomRef
from warroom.bot.domain.port import SaidOrder

Item = TypeVar("Item", bound=tuple[int, Inbound])
Place = TypeVar("Place", str, RoomRef)


class HeldPlaces:
    """Platforms and rooms held, each as often as it was held and not yet released."""

    def __init__(self) -> None:
        self._platforms: Counter[str] = Counter()
        self._rooms: Counter[RoomRef] = Counter()

    def hold(self, where: str | RoomRef) -> None:
        if isinstance(where, RoomRef):
            self._rooms[where] += 1
        else:
            self._platforms[where] += 1

    def release(self, where: str | RoomRef) -> bool:
        """Undo one hold; True when that was the place's last."""
        if isinstance(where, RoomRef):
            return _less(self._rooms, where)
        return _less(self._platforms, where)

    def __bool__(self) -> bool:
        return bool(self._platforms or self._rooms)

    def holds(self, room: RoomRef) -> bool:
        return room.platform in self._platforms or room in self._rooms

    def clear(self) -> None:
        self._platforms.clear()
        self._rooms.clear()


def in_said_order(
    items: Iterable[Item], said_order: SaidOrder, arrived: Mapping[int, float]
) -> list[Item]:
    """`items` (inbox row, event) in the order things happened: a message where its platform
    puts it (a Slack ts), any other event when it arrived (`arrived` by row, epoch seconds).
    Ties keep their stored order."""
    keyed: list[tuple[Decimal, int, Item]] = []
    for n, item in enumerate(items):
        said = said_order(item[1])
        keyed.append((Decimal(arrived.get(item[0], 0.0)) if said is None else said, n, item))
    return [item for _, _, item in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _less(held: Counter[Place], where: Place) -> bool:
    if held[where] <= 1:
        held.pop(where, None)
        return True
    held[where] -= 1
    return False
