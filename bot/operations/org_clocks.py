"""Each organisation's own clock in a shared incident: from being brought in (`invite ORG`,
`open --org`) to the first thing one of its people said or did there."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warroom.bot.domain.disclosure import Where
from warroom.bot.operations.incidents import BOT
from warroom.bot.operations.visibility import Visibility
from warroom.storage.models import TimelineEntry

BOT_PLATFORM = BOT.user.platform  # the bot's own entries are nobody's answer


@dataclass(frozen=True)
class Answer:
    org: str
    brought_in_at: datetime
    first_at: datetime | None

    @property
    def seconds(self) -> float | None:
        if self.first_at is None:
            return None
        return round((self.first_at - self.brought_in_at).total_seconds(), 3)


def answers(
    seen: Visibility,
    entries: Iterable[TimelineEntry],
    brought_in: Sequence[tuple[str, datetime]],
    reader: str | None,
) -> list[Answer]:
    """The organisations brought in after the opener's, each with its first act that
    `reader` may see (all, for `reader` None): what is withheld from a reader is no answer
    it can be shown."""
    firsts: dict[str, datetime] = {}
    joined = dict(brought_in)
    for entry in entries:
        org = entry.actor_org
        if org in firsts or org not in joined or entry.actor_platform == BOT_PLATFORM:
            continue
        if entry.at < joined[org]:
            continue
        if reader is None or seen.may_see(seen.said(entry), reader, Where.VIEW):
            firsts[org] = entry.at
    return [Answer(org, at, firsts.get(org)) for org, at in brought_in if org != seen.home]


def exported(
    found: Sequence[Answer], iso: Callable[[datetime | None], str | None]
) -> list[dict[str, Any]]:
    """The export's `org_clocks[]`."""
    return [
        {
            "org": a.org,
            "brought_in_at": iso(a.brought_in_at),
            "first_acted_at": iso(a.first_at),
            "time_to_acknowledge_s": a.seconds,
        }
        for a in found
    ]
