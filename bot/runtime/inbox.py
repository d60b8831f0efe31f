"""The durable intake: every inbound event is stored before its platform gets an ack, then
processed from the inbox by the core, in order per room, and marked processed.

`accept` is the sink the adapters feed: it returns once the event is committed (then the
adapter acks) or raises `NotStored` within its deadline (then the adapter says so, and the
platform resends or the person retries). A crash loses nothing acknowledged: on start, what
was stored and not processed is processed. A replay is stored once (the inbox's unique key)
and, should it reach the core again after a crash, handled once (the core's event claims).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from pydantic import TypeAdapter

from warroom.bot.domain.clock import Clock
from warroom.bot.domain.events import (
    CommandReceived,
    Inbound,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    RoomRef,
)
from warroom.bot.domain.port import NotStored, SaidOrder
from warroom.bot.runtime.holds import HeldPlaces, in_said_order
from warroom.storage.models import Inbox
from warroom.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)
ACK_BUDGET_S = 2.0  # within Slack's 3 s, leaving time for the request around the store
KEEP_PROCESSED = timedelta(days=7)
STOP_GRACE_S = 5.0
KINDS: dict[str, TypeAdapter[Inbound]] = {
    cls.__name__: TypeAdapter(cls)
    for cls in (CommandReceived, MessagePosted, ReactionAdded, MessageEdited, MessageDeleted)
}
Process = Callable[[Inbound], Awaitable[None]]
Lane = tuple[str, str, str]


def dump(event: Inbound) -> tuple[str, str]:
    """The event's kind and its neutral form as JSON."""
    kind = type(event).__name__
    return kind, KINDS[kind].dump_json(event).decode()


def load(kind: str, payload: str) -> Inbound:
    return KINDS[kind].validate_json(payload)


class Intake:
    """`accept` stores; per-room lanes hand the stored events to `process` (Core.handle)."""

    def __init__(
        self,
        store: Store,
        *,
        writer: Store | None = None,
        clock: Clock,
        process: Process,
        budget_s: float = ACK_BUDGET_S,
    ) -> None:
        self.store = store  # recovery and marking, off the ack's path
        self.writer = writer or store  # the stores before acks, on a thread of their own
        self.clock = clock
        self.process = process
        self.budget_s = budget_s
        self._lanes: dict[Lane, deque[tuple[int, Inbound]]] = {}
        self._workers: dict[Lane, asyncio.Task[None]] = {}
        self._open = asyncio.Event()
        self._held = HeldPlaces()
        self._arrived: dict[int, float] = {}  # by row, in hand: where a held event falls
        self._busy: set[Lane] = set()  # lanes whose first event is being processed

    async def accept(self, event: Inbound) -> None:
        """Store `event`, then schedule it; raise `NotStored` if it could not be stored."""
        deadline = time.monotonic() + self.budget_s
        kind, payload = dump(event)
        now = self.clock.now()
        platform = event.room.platform

        def add(uow: UnitOfWork) -> int | None:
            return uow.inbox.add(
                platform=platform, event_id=event.event_id, kind=kind, payload=payload, at=now
            )

        try:
            row = await self.writer.transaction(add, deadline=deadline)
        except Exception as exc:
            log.warning("%s %s not stored: %s", kind, event.event_id, _short(exc))
            raise NotStored(f"could not store {event.event_id}") from None
        if row is not None:
            self._schedule(row, event, arrived=time.time())

    async def recover(self) -> int:
        """Schedule what was stored and not processed (before a crash), oldest first."""
        after, count = 0, 0
        while True:
            rows = await self.store.transaction(partial(_pending, after=after))
            if not rows:
                break
            for row in rows:
                assert row.id is not None
                after = row.id
                try:
                    event = load(row.kind, row.payload)
                except ValueError as exc:
                    log.error("inbox row %s cannot be read, skipped: %s", row.id, _short(exc))
                    continue
                self._schedule(row.id, event, arrived=_epoch(row.received_at))
                count += 1
        if count:
            log.warning("processing %s events received before a restart", count)
        cutoff = self.clock.now() - KEEP_PROCESSED
        await self.store.transaction(lambda uow: uow.inbox.prune(cutoff))
        return count

    def open(self) -> None:
        """Start processing (once the adapters that answer are started)."""
        self._open.set()

    def hold(self, where: str | RoomRef) -> None:
        """The port's `Holds`: a held place's events are stored and acknowledged as ever, and
        wait in its lanes (at most what is in hand: the inbox has them all) until released."""
        self._held.hold(where)

    def release(self, where: str | RoomRef, *, said_order: SaidOrder | None = None) -> None:
        if not self._held.release(where):
            return
        for lane, queue in self._lanes.items():
            room = RoomRef(*lane)
            if not _within(room, where) or self._held.holds(room):
                continue
            if said_order is not None and room == where:
                waiting = list(queue)
                in_hand = waiting[:1] if lane in self._busy else []  # it stays first
                queue.clear()
                later = in_said_order(waiting[len(in_hand) :], said_order, self._arrived)
                queue.extend(in_hand + later)
            if lane not in self._workers:
                self._workers[lane] = asyncio.create_task(self._drain(lane))

    async def idle(self) -> None:
        """Wait until every stored event scheduled here and not held has been processed."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def stop(self) -> None:
        """Finish what is in hand for a little while; the rest waits in the inbox."""
        self._open.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), STOP_GRACE_S)
        for worker in list(self._workers.values()):
            worker.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
        self._workers.clear()
        self._lanes.clear()
        self._held.clear()
        self._arrived.clear()

    def _schedule(self, row: int, event: Inbound, *, arrived: float) -> None:
        room = event.room
        lane = (room.platform, room.workspace, room.room_id)
        self._arrived[row] = arrived
        self._lanes.setdefault(lane, deque()).append((row, event))
        if lane not in self._workers:
            self._workers[lane] = asyncio.create_task(self._drain(lane))

    async def _drain(self, lane: Lane) -> None:
        """One room's events, one at a time, in the order they were stored (after a hold of
        the room, in the order they happened); a held place's wait where they are."""
        await self._open.wait()
        queue = self._lanes[lane]
        try:
            while queue and not (self._held and self._held.holds(RoomRef(*lane))):
                row, event = queue[0]
                self._busy.add(lane)
                try:
                    await self._process(row, event)
                finally:
                    self._busy.discard(lane)
                queue.popleft()
                self._arrived.pop(row, None)
        finally:
            if not queue:
                self._lanes.pop(lane, None)
            self._workers.pop(lane, None)

    async def _process(self, row: int, event: Inbound) -> None:
        try:
            await self.process(event)
        except Exception:  # Core.handle logs its own failures; this is a last guard
            log.exception("processing inbox row %s failed", row)
        now = self.clock.now()
        try:
            await self.store.transaction(lambda uow: uow.inbox.mark_processed(row, now))
        except Exception as exc:  # processed again after a restart: the claims absorb it
            log.warning("inbox row %s not marked processed: %s", row, _short(exc))


def _epoch(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _within(room: RoomRef, where: str | RoomRef) -> bool:
    return room == where if isinstance(where, RoomRef) else room.platform == where


def _pending(uow: UnitOfWork, *, after: int) -> Sequence[Inbox]:
    return uow.inbox.pending(after=after)


def _short(exc: BaseException) -> str:
    """One line of an exception (a database error's first line, without its SQL)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"
