"""The unit of work and the store that runs it off the event loop.

Sessions are synchronous and run on worker threads: one thread hop per unit of work rather
than one per statement (as an async driver would make), which keeps a `note` well under a
millisecond of database time. SQLite gets a single writer thread, matching its single-writer
lock; PostgreSQL gets a small pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from warroom.bot.domain.vocabulary import IncidentChanged
from warroom.storage.engine import is_sqlite, make_engine
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
from warroom.storage.timeline import TimelineRepo

log = logging.getLogger(__name__)
T = TypeVar("T")


class Hints:
    """What committed transactions left for the process to act on, e.g. outbox items."""

    def __init__(self) -> None:
        self.outbox = False


class UnitOfWork:
    """One transaction: rolls back unless `commit()` is called."""

    def __init__(self, engine: Engine, hints: Hints | None = None) -> None:
        self.session = Session(engine, expire_on_commit=False)
        self.hints = hints or Hints()
        self.incidents = IncidentRepo(self.session)
        self.rooms = RoomRepo(self.session)
        self.participants = ParticipantRepo(self.session)
        self.roles = RoleRepo(self.session)
        self.reminders = ReminderRepo(self.session)
        self.digests = DigestRepo(self.session)
        self.changes: list[IncidentChanged] = []
        self.timeline = TimelineRepo(self.session, self.changes)
        self.events = EventRepo(self.session)
        self.outbox = OutboxRepo(self.session, self.hints)
        self.state = StateRepo(self.session)
        self.relays = RelayRepo(self.session)

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
        self.session.commit()

    def save(self, row: SQLModel) -> None:
        """Keep a change made to a row read in this unit of work."""
        self.session.add(row)

    def no_autoflush(self) -> AbstractContextManager[Any]:
        """Read without writing pending changes first (a batch of checks reads many rows)."""
        return self.session.no_autoflush

    def flush(self) -> None:
        self.session.flush()


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.hints = Hints()
        workers = 1 if is_sqlite(url) else 4
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="store")

    async def transaction(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` in one transaction on a worker thread; commit if it returns."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.transaction_sync, work)

    def transaction_sync(self, work: Callable[[UnitOfWork], T]) -> T:
        with UnitOfWork(self.engine, self.hints) as uow:
            result = work(uow)
            uow.commit()
            return result

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
