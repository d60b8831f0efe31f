"""The unit of work and the store that runs it.

Sessions are synchronous and run on worker threads: one thread hop per unit of work rather
than one per statement (as an async driver would make). SQLite gets a single writer thread,
matching its single-writer lock; PostgreSQL gets a small pool. A *light* SQLite unit of work
(its caller vouches that its input is small, so it cannot hold the loop long) runs on the
event loop when the write lock is free at once and nothing waits on the thread: a WAL commit
with synchronous=NORMAL does not wait for the disk, and the hop is a third of a `note`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import timedelta
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from warroom.bot.domain.vocabulary import IncidentChanged
from warroom.storage.checkpoints import CheckpointRepo
from warroom.storage.dashboard import DashboardRepo
from warroom.storage.engine import LOCK_WAIT_MS, is_sqlite, make_engine
from warroom.storage.exercises import ExerciseRepo
from warroom.storage.followups import FollowupRepo
from warroom.storage.inbox import InboxRepo
from warroom.storage.models import Outbox
from warroom.storage.observables import ObservableRepo
from warroom.storage.reminders import DigestRepo, ReminderRepo
from warroom.storage.repos import (
    EventRepo,
    IncidentRepo,
    OutboxRepo,
    ParticipantRepo,
    RelayRepo,
    RoleRepo,
    RoomRepo,
    StateRepo,
)
from warroom.storage.reviews import ReviewRepo
from warroom.storage.search import SearchRepo
from warroom.storage.stats import StatsRepo
from warroom.storage.tasks import ChecklistRepo, PlaybookRunRepo, TaskRepo
from warroom.storage.timeline import TimelineRepo
from warroom.storage.web_sessions import WebSessionRepo

log = logging.getLogger(__name__)
T = TypeVar("T")


class Hints:
    """What committed transactions left for the process to act on, e.g. outbox items.

    With a `lease` set (a process that delivers what it queues), an outbox item is leased
    to this process in the transaction that queues it, `prepare` may read what delivering
    it needs in that same transaction, and once it commits the item is in `ready`: it is
    delivered without a claim transaction, and no other process takes it meanwhile."""

    def __init__(self) -> None:
        self.outbox = False  # queued due now: to be claimed
        self.lease: timedelta | None = None
        self.prepare: Callable[[UnitOfWork, list[Outbox]], None] | None = None
        self.ready: list[Outbox] = []  # committed, leased to this process
        # run in every transaction, just before it commits (signed checkpoints of what the
        # transaction changed, made in the same transaction as the change)
        self.before_commit: Callable[[UnitOfWork], None] | None = None


class DeadlinePassed(Exception):
    """A transaction with a deadline did not start in time: nothing was written."""


class _LockTaken(Exception):
    """Another connection holds SQLite's write lock: nothing was done."""


class UnitOfWork:
    """One transaction: rolls back unless `commit()` is called. With `lock_wait_ms` it waits
    at most that long for a lock (SQLite's write lock, a PostgreSQL row or statement)."""

    def __init__(
        self, engine: Engine, hints: Hints | None = None, *, lock_wait_ms: int | None = None
    ) -> None:
        self.session = Session(engine, expire_on_commit=False)
        if lock_wait_ms is not None:
            try:
                self.session.connection(execution_options={LOCK_WAIT_MS: lock_wait_ms})
            except Exception:
                self.session.close()  # the lock was not had: give the connection back
                raise
        self.hints = hints or Hints()
        self.changes: list[IncidentChanged] = []
        self.leased: list[Outbox] = []  # queued here and leased to this process
        self.on_loop = False  # run on the event loop, start to commit (Store._without_waiting)
        self._done_once: set[tuple[object, ...]] = set()

    # Each repository is made when first used: a unit of work uses two or three of them.
    @cached_property
    def incidents(self) -> IncidentRepo:
        return IncidentRepo(self.session)

    @cached_property
    def rooms(self) -> RoomRepo:
        return RoomRepo(self.session)

    @cached_property
    def participants(self) -> ParticipantRepo:
        return ParticipantRepo(self.session)

    @cached_property
    def roles(self) -> RoleRepo:
        return RoleRepo(self.session)

    @cached_property
    def reminders(self) -> ReminderRepo:
        return ReminderRepo(self.session)

    @cached_property
    def digests(self) -> DigestRepo:
        return DigestRepo(self.session)

    @cached_property
    def timeline(self) -> TimelineRepo:
        return TimelineRepo(self.session, self.changes)

    @cached_property
    def events(self) -> EventRepo:
        return EventRepo(self.session)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self.session, self.hints, self.leased)

    @cached_property
    def state(self) -> StateRepo:
        return StateRepo(self.session)

    @cached_property
    def relays(self) -> RelayRepo:
        return RelayRepo(self.session)

    @cached_property
    def inbox(self) -> InboxRepo:
        return InboxRepo(self.session)

    @cached_property
    def tasks(self) -> TaskRepo:
        return TaskRepo(self.session)

    @cached_property
    def playbooks(self) -> PlaybookRunRepo:
        return PlaybookRunRepo(self.session)

    @cached_property
    def checklists(self) -> ChecklistRepo:
        return ChecklistRepo(self.session)

    @cached_property
    def reviews(self) -> ReviewRepo:
        return ReviewRepo(self.session)

    @cached_property
    def followups(self) -> FollowupRepo:
        return FollowupRepo(self.session)

    @cached_property
    def stats(self) -> StatsRepo:
        return StatsRepo(self.session)

    @cached_property
    def observables(self) -> ObservableRepo:
        return ObservableRepo(self.session)

    @cached_property
    def exercises(self) -> ExerciseRepo:
        return ExerciseRepo(self.session)

    @cached_property
    def search(self) -> SearchRepo:
        return SearchRepo(self.session)

    @cached_property
    def web(self) -> WebSessionRepo:
        return WebSessionRepo(self.session)

    @cached_property
    def dashboard(self) -> DashboardRepo:
        return DashboardRepo(self.session)

    @cached_property
    def checkpoints(self) -> CheckpointRepo:
        return CheckpointRepo(self.session)

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        if self.changes and self.hints.before_commit is not None:
            self.hints.before_commit(self)
        if self.leased and self.hints.prepare is not None:
            self.session.flush()  # a failing write fails here, not inside a preparation
            self.hints.prepare(self, self.leased)
        self.session.commit()
        if self.leased:
            self.hints.ready.extend(self.leased)
            self.leased.clear()

    def once(self, *key: object) -> bool:
        """True the first time `key` is asked in this unit of work: for what a transaction
        needs done once however many changes ask for it (a refresh queued, a plan touched)."""
        if key in self._done_once:
            return False
        self._done_once.add(key)
        return True

    def delivery_waits(self, action: str, incident_id: int) -> bool:
        """Whether an item of `action` for the incident is committed and leased to this
        process, its delivery not started: a refresh queued now would follow it with nothing
        new to show. Known only on the event loop, where no delivery starts before this
        unit of work commits; elsewhere False."""
        ready = self.hints.ready
        return self.on_loop and any(
            row.action == action and row.incident_id == incident_id for row in ready
        )

    def did(self, *key: object) -> bool:
        """Whether `once(*key)` was asked in this unit of work already."""
        return key in self._done_once

    def save(self, row: SQLModel) -> None:
        """Keep a change made to a row read in this unit of work."""
        self.session.add(row)

    def no_autoflush(self) -> AbstractContextManager[Any]:
        """Read without writing pending changes first (a batch of checks reads many rows)."""
        return self.session.no_autoflush

    def flush(self) -> None:
        self.session.flush()


class Store:
    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, read_only=read_only)
        self.hints = Hints()
        workers = 1 if is_sqlite(url) else 4
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="store")
        # An in-memory database is one connection: only the writer thread may use it.
        self._on_loop = is_sqlite(url) and not self._in_memory()
        self._on_thread = 0  # transactions handed to the writer thread, not finished

    async def transaction(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        deadline: float | None = None,
        light: bool = False,
    ) -> T:
        """Run `work` in one transaction; commit if it returns. With a `deadline` (a
        `time.monotonic()` value) it gives up rather than wait past it. `light` work (a few
        statements on a small input) may run on the event loop (see the module's note)."""
        if light and self._on_loop and not self._on_thread:
            # none queued on the thread to overtake: try here, without waiting for the lock
            try:
                result = self._without_waiting(work, deadline)
            except _LockTaken:
                pass
            else:
                await asyncio.sleep(0)  # let others run between transactions, as a hop would
                return result
        loop = asyncio.get_running_loop()
        self._on_thread += 1
        try:
            return await loop.run_in_executor(
                self._executor, self.transaction_sync, work, deadline
            )
        finally:
            self._on_thread -= 1

    async def on_writer(self, fn: Callable[[], T]) -> T:
        """Run `fn`, which writes outside a unit of work (the scheduler's job store), on a
        worker thread after what is queued there: on SQLite it then never waits for the
        write lock on the event loop, where every answer would wait with it."""
        loop = asyncio.get_running_loop()
        self._on_thread += 1
        try:
            return await loop.run_in_executor(self._executor, fn)
        finally:
            self._on_thread -= 1

    def _without_waiting(self, work: Callable[[UnitOfWork], T], deadline: float | None) -> T:
        """`work` in a transaction if SQLite's write lock is free at once; `_LockTaken`,
        with nothing done, when another connection holds it."""
        if deadline is not None and deadline <= time.monotonic():
            raise DeadlinePassed("no time left to start the transaction")
        try:
            uow = UnitOfWork(self.engine, self.hints, lock_wait_ms=0)  # BEGIN IMMEDIATE
        except OperationalError as exc:
            if getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY:
                raise _LockTaken from None
            raise
        uow.on_loop = True
        with uow:
            result = work(uow)
            uow.commit()
            return result

    def transaction_sync(
        self, work: Callable[[UnitOfWork], T], deadline: float | None = None
    ) -> T:
        wait_ms = None
        if deadline is not None:
            wait_ms = int((deadline - time.monotonic()) * 1000)
            if wait_ms <= 0:
                raise DeadlinePassed("no time left to start the transaction")
        with UnitOfWork(self.engine, self.hints, lock_wait_ms=wait_ms) as uow:
            result = work(uow)
            uow.commit()
            return result

    def sibling(self) -> Store:
        """A store on the same database with its own connection and worker thread, so its
        short transactions never queue behind this one's (an in-memory SQLite database has
        one connection only: the store itself)."""
        return self if self._in_memory() else Store(self.url)

    def reader(self) -> Store:
        """A store on the same database for work that only reads, with its own connection
        and thread: on SQLite its transactions take no write lock, so a long read (every
        room's checklist rendered) neither holds up nor queues before the commands' writes.
        (An in-memory database has one connection only: the store itself.)"""
        return self if self._in_memory() else Store(self.url, read_only=True)

    def _in_memory(self) -> bool:
        return is_sqlite(self.url) and self.engine.url.database in (None, "", ":memory:")

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
