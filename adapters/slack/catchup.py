"""Catching up on what was said in open war rooms while warroom was away: stopped, or its
Socket Mode connection down (Slack does not replay what it sent to a closed socket, and gives
up on an HTTP delivery after a few retries).

On start, and after every Socket Mode reconnect, each open room's history since the newest
message captured from it is fetched (history.py) and handed to the sink in order, as if it
had just arrived. A message that also arrives live is stored once: both carry its ts as
their event id, and the inbox and the core's claims keep one of each. A pass looks back at
most LOOKBACK and never before the room was opened; it runs in the background, one pass at a
time, and never holds up start-up or an ack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta

from warroom.adapters.slack.api import SlackApi
from warroom.adapters.slack.history import Said, said_since, ts_at, ts_key
from warroom.bot.domain.events import Inbound, RoomRef
from warroom.bot.domain.port import AdapterError, OpenRoom, OpenRooms

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
        lookback: timedelta = LOOKBACK,
        retry_s: tuple[float, ...] = RETRY_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.api = api
        self.platform = platform
        self.marks = marks
        self.translate = translate
        self.keep = keep
        self.lookback = lookback
        self.retry_s = retry_s
        self.sleep = sleep
        self.open_rooms: OpenRooms | None = None
        self._task: asyncio.Task[None] | None = None
        self._again: dict[RoomRef, str] | None = None

    def soon(self) -> None:
        """Catch up in the background; asked again while a pass runs, another follows it."""
        marks = self.marks.snapshot()
        if self._task is not None and not self._task.done():
            self._again = marks
            return
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

    async def _passes(self, marks: Mapping[RoomRef, str] | None) -> None:
        while marks is not None:
            try:
                await self._pass(marks)
            except Exception:
                log.exception("catching up on Slack history failed")
            marks, self._again = self._again, None

    async def _pass(self, marks: Mapping[RoomRef, str]) -> None:
        if self.open_rooms is None:
            return
        rooms = await self.open_rooms(self.platform)
        kept = 0
        for room in rooms:
            kept += await self._room(room, marks.get(room.room) or room.newest_message_id)
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
                await self.sleep(wait)
        return kept
