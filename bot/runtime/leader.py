"""Which process runs the scheduler: exactly one, the holder of a PostgreSQL advisory lock.

APScheduler 3.x cannot share a job store between processes, so with several `warroom run`
processes one of them, the leader, holds a session advisory lock on a connection of its
own. The lock ends with that session: when the leader dies, PostgreSQL frees it and a
standby, retrying every `leader_retry`, takes over. SQLite deployments are one process,
which always leads.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from warroom.storage.engine import is_sqlite, sync_url

log = logging.getLogger(__name__)
LOCK_CLASS = 0x5752  # "WR": the first key of the two-key advisory lock
# The second key is the schema's hash, so two deployments sharing a database never collide.
TRY_LOCK = text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))")
HOLDING = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = pg_backend_pid() AND classid = :cls"
)
# The server notices a leader host that vanished without closing its socket.
KEEPALIVE = (
    "SET tcp_keepalives_idle = 5",
    "SET tcp_keepalives_interval = 2",
    "SET tcp_keepalives_count = 3",
)


class Leadership(Protocol):
    async def acquire(self) -> None:
        """Return once this process is the leader."""

    async def hold(self) -> None:
        """Return when leadership is lost (never, while all is well)."""

    async def release(self) -> None: ...


class SoleProcess:
    """SQLite: a single process, always the leader."""

    async def acquire(self) -> None:
        log.info("this process is now the scheduler leader (SQLite: the only process)")

    async def hold(self) -> None:
        await asyncio.Event().wait()

    async def release(self) -> None:
        return


class AdvisoryLock:
    """Leadership through `pg_try_advisory_lock` on a dedicated connection."""

    def __init__(self, url: str, *, retry: float) -> None:
        self.retry = retry
        self._engine: Engine = create_engine(
            sync_url(url),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
                "application_name": "warroom-leader",
            },
        )
        self._conn: Connection | None = None

    async def acquire(self) -> None:
        told = False
        while True:
            try:
                if await asyncio.to_thread(self._try):
                    log.warning("this process is now the scheduler leader")
                    return
                if not told:
                    log.warning("another process runs the scheduler; standing by")
                    told = True
            except Exception as exc:
                log.warning("leader election: database unreachable (%s); retrying", exc)
                await asyncio.to_thread(self._drop)
            await asyncio.sleep(self.retry)

    async def hold(self) -> None:
        while True:
            await asyncio.sleep(self.retry)
            try:
                held = await asyncio.to_thread(self._holding)
            except Exception as exc:
                log.error("leader lock connection lost (%s); stepping down", exc)
                held = False
            if not held:
                await asyncio.to_thread(self._drop)
                return

    async def release(self) -> None:
        await asyncio.to_thread(self._drop)
        self._engine.dispose()

    def _try(self) -> bool:
        if self._conn is None:
            self._conn = self._engine.connect()
            for statement in KEEPALIVE:
                self._conn.execute(text(statement))
        return bool(self._conn.execute(TRY_LOCK, {"cls": LOCK_CLASS}).scalar())

    def _holding(self) -> bool:
        assert self._conn is not None
        return bool(self._conn.execute(HOLDING, {"cls": LOCK_CLASS}).scalar())

    def _drop(self) -> None:
        """Closing the session is what releases the lock."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing the leader connection failed", exc_info=True)


def leadership_for(url: str, *, retry: float) -> Leadership:
    return SoleProcess() if is_sqlite(url) else AdvisoryLock(url, retry=retry)
