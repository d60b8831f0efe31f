"""Catching up on what was said in open war rooms while warroom was away: stopped, or its
Socket Mode connection down (Slack does not replay what it sent to a closed socket, and gives
up on an HTTP delivery after a few retries).

On start, and after every Socket Mode reconnect, each open room's history since the newest
message captured from it is fetched (history.py) and handed to the sink in order, as if it
had just arrived. A message that also arrives live is stored once: both carry its ts as
their event id, and the inbox and the core's claims keep one of each. A pass looks back at
most LOOKBACK and never before the room was opened; it runs in the background, one pass at a
time, and never holds up start-up or an ack.

What arrives live meanwhile is stored and acknowledged as ever, but its handling is held
(the port's `Holds`): the whole platform's from the moment a pass is asked for until the
pass has read where each room's gap begins (else a live message handled first would be
taken for the newest captured, and the gap skipped), then each room's until its gap is
filled, so the missed messages go first and everything goes in the order it was said. A
room whose history fails is let go while it waits to be tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from warroom.adapters.slack.api import SlackApi
from warroom.adapters.slack.history import Said, said_since, ts_at, ts_key
from warroom.bot.domain.events import CommandReceived, Inbound, MessagePosted, RoomRef
from warroom.bot.domain.port import AdapterError, Holds, OpenRoom, OpenRooms, SaidOrder

log = logging.getLogger(__name__)

LOOKBACK = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)  # between Slack's clock (a message's ts) and ours
RETRY_S = (5.0, 30.0, 120.0)  # a room whose history or storing failed is tried again

Translate = Callable[[Said, str], Awaitable[Inbound | None]]  # a message, its workspace
Keep = Callable[[Inbound], Awaitable[bool]]  # stored?
Sleep = Callable[[float], Awaitable[None]]


class Marks:
    """The newest message ts this process stored per room, live or caught up. Taken when a
    connection opens, before anything arrives on it, it is where the gap before began."""

    def __init__(self) -> None:
        self._newest: dict[RoomRef, str] = {}

    def saw(self, room: RoomRef, ts: str) -> None:
        if ts_key(ts) > ts_key(self._newest.get(room, "")):
            self._newest[room] = ts

    def snapshot(self) -> dict[RoomRef, str]:
        return dict(self._newest)


class NoHolds:
    """Holds for a CatchUp bound to no inbox: nothing to hold back."""

    def hold(self, where: str | RoomRef) -> None:
        return

    def release(self, where: str | RoomRef, *, said_order: SaidOrder | None = None) -> None:
        return


def said_order(event: Inbound) -> Decimal | None:
    """Where a Slack message falls in its channel: its ts, which is its event id (a slash
    command's is not a ts: it falls at when it arrived)."""
    if isinstance(event, MessagePosted | CommandReceived):
        return ts_key(event.event_id) or None
    return None


class NotKept(Exception):
    """The sink could not store a caught-up message."""


class CatchUp:
    def __init__(
        self,
        *,
        api: SlackApi,
        platform: str,
        marks: Marks,
        translate: Translate,
        keep: Keep,
        holds: Holds | None = None,
        lookback: timedelta = LOOKBACK,
        retry_s: tuple[float, ...] = RETRY_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.api = api
        self.platform = platform
        self.marks = marks
        self.translate = translate
        self.keep = keep
        self.holds = holds or NoHolds()
        self.lookback = lookback
        self.retry_s = retry_s
        self.sleep = sleep
        self.open_rooms: OpenRooms | None = None
        self._task: asyncio.Task[None] | None = None
        self._again: dict[RoomRef, str] | None = None
        self._platform_holds = 0  # taken for passes asked for, not yet released

    def soon(self) -> None:
        """Catch up in the background; asked again while a pass runs, another follows it.
        Called before anything arrives on a new connection: the hold starts here."""
        marks = self.marks.snapshot()
        if self._task is not None and not self._task.done():
            if self._again is None:
                self._hold_platform()
            self._again = marks
            return
        self._hold_platform()
        self._task = asyncio.create_task(self._passes(marks))

    async def idle(self) -> None:
        """Wait until the passes asked for are done (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task, self._again = None, None
        while self._platform_holds:
            self._release_platform()

    def _hold_platform(self) -> None:
        self.holds.hold(self.platform)
        self._platform_holds += 1

    def _release_platform(self) -> None:
        if self._platform_holds:
            self._platform_holds -= 1
            self.holds.release(self.platform)

    async def _passes(self, marks: Mapping[RoomRef, str] | None) -> None:
        while marks is not None:
            try:
                await self._pass(marks)
            except Exception:
                log.exception("catching up on Slack history failed")
            marks, self._again = self._again, None

    async def _pass(self, marks: Mapping[RoomRef, str]) -> None:
        try:
            rooms = await self.open_rooms(self.platform) if self.open_rooms else ()
            for room in rooms:
                self.holds.hold(room.room)
        finally:
            self._release_platform()
        held = [room.room for room in rooms]
        kept = 0
        try:
            for room in rooms:
                kept += await self._room(room, marks.get(room.room) or room.newest_message_id)
                self.holds.release(held.pop(0), said_order=said_order)
        finally:
            for room_ref in held:
                self.holds.release(room_ref, said_order=said_order)
        if kept:
            log.warning("caught up on %s messages said while warroom was away", kept)

    async def _room(self, room: OpenRoom, after: str) -> int:
        """Hand on what was said in `room` after the message `after`; how many were kept."""
        floor = max(room.since - CLOCK_SKEW, datetime.now(UTC) - self.lookback)
        channel, team = room.room.room_id, room.room.workspace
        kept = 0
        for wait in (*self.retry_s, None):
            try:
                for said in await said_since(
                    self.api, team, channel, oldest=ts_at(floor), after=after
                ):
                    event = await self.translate(said, team)
                    if event is not None:
                        if not await self.keep(event):
                            raise NotKept(f"message {said.get('ts')} was not stored")
                        kept += 1
                    after = str(said.get("ts", after))
                return kept
            except (AdapterError, NotKept) as exc:
                final = isinstance(exc, AdapterError) and not exc.retryable
                if wait is None or final:
                    log.warning("could not catch up on %s: %s", channel, exc)
                    return kept
                log.info("catching up on %s: %s; again in %.0fs", channel, exc, wait)
                await self._let_go_for(room.room, wait)
        return kept

    async def _let_go_for(self, room: RoomRef, wait: float) -> None:
        """What arrived in `room` is handled while its history waits to be tried again (a
        person's command does not wait minutes); it is held again for the next try."""
        self.holds.release(room, said_order=said_order)
        try:
            await self.sleep(wait)
        finally:
            self.holds.hold(room)
