"""Outbound actions that must reach a platform, kept in the database until they have.

State changes and the actions they imply are committed together; the dispatcher then
delivers them, retrying with backoff, so a platform outage or a crash loses nothing.
A claimed item is leased for a while, so replicas never deliver the same item at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from warroom.bot.config import Config
from warroom.bot.domain.clock import Clock
from warroom.bot.domain.port import AdapterError, ChatAdapter
from warroom.bot.domain.telemetry import NO_TELEMETRY, ErrorKind, Telemetry
from warroom.bot.operations.effects import effect_from
from warroom.bot.runtime.done_marks import DoneMarks
from warroom.bot.runtime.settling import Settling
from warroom.storage.models import Outbox
from warroom.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 25
MAX_BACKOFF_S = 300.0
LANES_AT_ONCE = 32  # rooms delivered to concurrently; each room's items stay in order
CLAIM_BATCH = 200
ROUNDS = 5  # of delivering what delivering queued (a new room, then its card)
E = TypeVar("E")


@dataclass(frozen=True)
class Claimed:
    id: int
    action: str
    platform: str
    payload: dict[str, Any]
    incident_id: int | None
    attempts: int


@dataclass(frozen=True)
class Action(Generic[E]):
    """How one kind of effect is delivered: `deliver(dispatcher, item, effect)`; with
    `prepare(dispatcher, uow, item, effect)`, what delivering needs is read in the
    transaction that queued it (`dispatcher.prepared(item)` gives it back, once)."""

    effect: type[E]
    deliver: Callable[[OutboxDispatcher, Claimed, E], Awaitable[None]]
    prepare: Callable[[OutboxDispatcher, UnitOfWork, Claimed, E], object] | None = None

    @property
    def kind(self) -> str:
        return str(getattr(self.effect, "kind"))  # noqa: B009  (a ClassVar of every effect)

    async def run(self, dispatcher: OutboxDispatcher, item: Claimed) -> None:
        await self.deliver(dispatcher, item, effect_from(self.effect, item.payload))

    def prepare_in(self, dispatcher: OutboxDispatcher, uow: UnitOfWork, item: Claimed) -> object:
        assert self.prepare is not None
        return self.prepare(dispatcher, uow, item, effect_from(self.effect, item.payload))

    @property
    def coalesces(self) -> bool:
        """An effect with no fields says "bring the incident's rooms in line with it as it is
        now" (SyncRooms, SyncChecklists): delivering it once covers every such item that was
        committed before, so of several waiting for one incident only the newest is sent."""
        return self.prepare is None and not dataclasses.fields(self.effect)  # type: ignore[arg-type]


class ActionTable:
    """The actions this process delivers, by kind. Items of other kinds stay queued for a
    process that knows them (a newer release during a rolling deploy)."""

    def __init__(self, actions: Sequence[Action[Any]]) -> None:
        self._by_kind = {action.kind: action for action in actions}
        if len(self._by_kind) != len(actions):
            raise ValueError("two outbox actions deliver the same kind of effect")

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._by_kind)

    def get(self, kind: str) -> Action[Any] | None:
        return self._by_kind.get(kind)

    def __iter__(self) -> Iterator[Action[Any]]:
        return iter(self._by_kind.values())


class OutboxDispatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        adapters: Mapping[str, ChatAdapter],
        actions: ActionTable,
        config: Config,
        *,
        telemetry: Telemetry = NO_TELEMETRY,
        reader: Store | None = None,
    ) -> None:
        self.config = config  # what deliveries that render per organisation need
        self.store = store
        # what a delivery only reads, off the writer's connection (Store.reader)
        self.reader = reader or store
        self.clock = clock
        self.adapters = adapters
        self.actions = actions
        self._lock = asyncio.Lock()
        self._lanes = asyncio.Semaphore(LANES_AT_ONCE)
        self._prepared: dict[int, object] = {}
        self.settling = Settling()
        self.telemetry = telemetry
        self._marks = DoneMarks(store, clock)

    def deliver_on_commit(self) -> None:
        """Lease what this process's transactions queue to it, and deliver it straight after
        commit: no claim transaction between a change and what it sends."""
        self.store.hints.lease = LEASE
        self.store.hints.prepare = self._prepare

    def _prepare(self, uow: UnitOfWork, rows: list[Outbox]) -> None:
        for row in rows:
            action = self.actions.get(row.action)
            if action is None or action.prepare is None:
                continue
            item = _claimed(row)
            try:
                self._prepared[item.id] = action.prepare_in(self, uow, item)
            except Exception:  # delivering reads it again; the change itself stands
                log.exception("preparing outbox item %s (%s) failed", item.id, item.action)

    def prepared(self, item: Claimed) -> object | None:
        """What `Action.prepare` read for `item` when it was queued; None after a retry."""
        return self._prepared.pop(item.id, None)

    def adapter(self, platform: str) -> ChatAdapter:
        try:
            return self.adapters[platform]
        except KeyError:
            raise AdapterError(f"no {platform} adapter is running", retryable=True) from None

    async def drain_if_queued(self) -> int:
        """Deliver what this process's transactions queued since the last drain: what they
        leased to it (and what delivering that queues) without claiming; what they queued
        due now (a burst of reminders) through a drain."""
        delivered = 0
        hints = self.store.hints
        if hints.ready:
            async with self._lock:
                delivered += await self._deliver_all(self._take_ready(refreshes=False))
            # refreshes (a checklist) and what delivering queued (a new room's card): after
            # the answer; a refresh reads the incident as it is then, so later is no worse
            if hints.ready:
                await self.settling.run(self._deliver_ready)
        if hints.outbox:
            hints.outbox = False
            delivered += await self.drain()
        return delivered

    async def _deliver_ready(self) -> None:
        async with self._lock:
            for _ in range(ROUNDS):
                if not (items := self._take_ready()):
                    break
                await self._deliver_all(items)

    async def settled(self) -> None:
        await self.settling.settled()

    async def drain(self, rounds: int = ROUNDS) -> int:
        """Deliver what is due, including what delivering queues (a new room's card);
        returns how many items were delivered."""
        delivered = 0
        async with self._lock:
            for _ in range(rounds):
                items = self._take_ready() or await self.store.transaction(self._claim)
                if not items:
                    break
                delivered += await self._deliver_all(items)
        return delivered

    def _take_ready(self, *, refreshes: bool = True) -> list[Claimed]:
        hints = self.store.hints
        rows, hints.ready = hints.ready, []
        if not refreshes:  # they stay ready, for later
            hints.ready = [row for row in rows if self._refresh(row.action)]
            rows = [row for row in rows if not self._refresh(row.action)]
        # a kind this release cannot deliver waits, past its lease, for one that can
        return [_claimed(row) for row in rows if row.action in self.actions.kinds]

    def _refresh(self, kind: str) -> bool:
        action = self.actions.get(kind)
        return action is not None and action.coalesces

    async def _deliver_all(self, items: list[Claimed]) -> int:
        """Deliver each room's items in order, several rooms at once."""
        lanes: dict[str, list[Claimed]] = {}
        for item in items:
            lanes.setdefault(_lane(item), []).append(item)
        counts = await asyncio.gather(
            *(self._deliver_lane(self._coalesced(lane)) for lane in lanes.values())
        )
        return sum(counts)

    def _coalesced(self, items: list[Claimed]) -> list[tuple[Claimed, list[int]]]:
        """The lane's items, each with the ids of the earlier ones its delivery covers (see
        `Action.coalesces`); a covered item is not delivered itself."""
        newest: dict[tuple[str, int | None], int] = {}
        for n, item in enumerate(items):
            if self._refresh(item.action):
                newest[item.action, item.incident_id] = n
        covered: dict[int, list[int]] = {}
        kept = []
        for n, item in enumerate(items):
            last = newest.get((item.action, item.incident_id), n)
            if last != n:
                covered.setdefault(last, []).append(item.id)
            else:
                kept.append((n, item))
        return [(item, covered.get(n, [])) for n, item in kept]

    async def _deliver_lane(self, items: list[tuple[Claimed, list[int]]]) -> int:
        async with self._lanes:
            delivered = 0
            for n, (item, covered) in enumerate(items):
                if not await self._deliver(item, covered):
                    # keep the room's order: what follows waits for the failed item
                    retry_at = self.clock.now() + timedelta(seconds=1)
                    waiting = [*covered]
                    for later, more in items[n + 1 :]:
                        waiting += [later.id, *more]
                    for item_id in waiting:
                        await self.store.transaction(
                            partial(_release, item_id=item_id, retry_at=retry_at)
                        )
                    return delivered
                delivered += 1 + len(covered)
            return delivered

    async def run_forever(self, interval: float = 2.0) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed; trying again in %ss", interval)
            await asyncio.sleep(interval)

    def _claim(self, uow: UnitOfWork) -> list[Claimed]:
        now = self.clock.now()
        claimed = []
        due = uow.outbox.due(now, CLAIM_BATCH, actions=self.actions.kinds, for_update=True)
        for row in due:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            uow.save(row)
            claimed.append(_claimed(row))
        return claimed

    async def _deliver(self, item: Claimed, covered: Sequence[int] = ()) -> bool:
        action = self.actions.get(item.action)
        try:
            if action is None:  # claimed by a process that knew it, then that one changed
                raise AdapterError(f"unknown outbox action {item.action!r}")
            await action.run(self, item)
        except Exception as exc:
            if isinstance(exc, AdapterError):
                retryable = exc.retryable
            else:  # a payload no release can read is not worth another try
                retryable = not isinstance(exc, ValidationError)
            error = exc
            self.telemetry.platform_failed(item.platform, failure_kind(exc))
            await self.store.transaction(lambda uow: self._failed(uow, item, error, retryable))
            return False
        await self._marks.mark([item.id, *covered])
        return True

    def _failed(self, uow: UnitOfWork, item: Claimed, exc: Exception, retryable: bool) -> None:
        row = uow.outbox.get(item.id)
        if row is None:
            return
        now = self.clock.now()
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if not retryable or item.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            log.error(
                "outbox item %s (%s) given up after %s attempts: %s",
                item.id,
                item.action,
                item.attempts,
                row.last_error,
            )
        else:
            delay = min(MAX_BACKOFF_S, 2.0**item.attempts) * random.uniform(0.8, 1.2)
            row.next_attempt_at = now + timedelta(seconds=delay)
            log.warning(
                "outbox item %s (%s) failed, retry in %.0fs: %s",
                item.id,
                item.action,
                delay,
                row.last_error,
            )
        uow.save(row)


def failure_kind(exc: Exception) -> ErrorKind:
    """A platform's 429 (rate limit) apart from other failures."""
    limited = isinstance(exc, AdapterError) and exc.rate_limited
    return ErrorKind.RATE_LIMITED if limited else ErrorKind.ERROR


def _claimed(row: Outbox) -> Claimed:
    assert row.id is not None
    payload = json.loads(row.payload)
    return Claimed(row.id, row.action, row.platform, payload, row.incident_id, row.attempts)


def _lane(item: Claimed) -> str:
    room = item.payload.get("room")
    return json.dumps(room, sort_keys=True) if room else f"incident:{item.incident_id}"


def _release(uow: UnitOfWork, *, item_id: int, retry_at: datetime) -> None:
    row = uow.outbox.get(item_id)
    if row is not None:
        row.attempts -= 1
        row.next_attempt_at = retry_at
        uow.save(row)
