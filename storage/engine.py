"""Engines for the one store URL: SQLite (WAL) by default, PostgreSQL through psycopg."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

BUSY_MS = 5000  # how long a transaction waits for SQLite's write lock
LOCK_WAIT_MS = "warroom_lock_wait_ms"  # execution option: wait at most this long instead


def sync_url(url: str) -> str:
    """The URL for a synchronous driver.

    Sessions run on worker threads (see store.py), so `postgresql+asyncpg://` and plain
    `postgresql://` URLs are served by psycopg 3, and `sqlite+aiosqlite` by sqlite3.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgresql+asyncpg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


CONNECT_TIMEOUT_S = 3


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """The store's engine. `read_only` (SQLite): transactions that only read, begun deferred,
    so that they take no write lock and, in WAL, never hold up the writer."""
    url = sync_url(url)
    if not is_sqlite(url):
        # an unreachable server is an error within seconds, not a TCP timeout of minutes
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
        )
        event.listen(engine, "begin", _pg_begin)
        return engine
    engine = _sqlite_engine(url)
    if read_only:
        event.listen(engine, "connect", _sqlite_query_only)
        event.listen(engine, "begin", _sqlite_begin_reading)
    else:
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_engine(url: str, **options: Any) -> Engine:
    """A SQLite engine with the pragmas every connection gets; an in-memory database is
    one connection, shared."""
    if make_url(url).database in (None, "", ":memory:"):
        options["poolclass"] = StaticPool
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL + synchronous=NORMAL: a committed transaction survives a process crash (only a
    # power loss can roll back the last few), and readers such as `warroom export` never
    # block the bot.
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that a
    # transaction covers its reads and SAVEPOINTs nest instead of committing early.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front. A deferred transaction that reads, then
    # writes after another connection (APScheduler's job store, `warroom export`) has
    # written fails at once with SQLITE_BUSY; an immediate one waits its turn instead.
    # A transaction with a deadline (the inbox, before an ack) waits only until then.
    wait_ms = int(connection.get_execution_options().get(LOCK_WAIT_MS, BUSY_MS))
    info = connection.connection.info
    if info.get(LOCK_WAIT_MS, BUSY_MS) != wait_ms:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        info[LOCK_WAIT_MS] = wait_ms
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_query_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")  # a write through a reader fails loudly


def _sqlite_begin_reading(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")  # deferred: a snapshot of what was committed


def _pg_begin(connection: Any) -> None:
    wait_ms = connection.get_execution_options().get(LOCK_WAIT_MS)
    if wait_ms is not None:
        ms = int(wait_ms)
        connection.exec_driver_sql(
            f"SET LOCAL lock_timeout = {ms}; SET LOCAL statement_timeout = {ms}"
        )


def job_store_engine(url: str) -> Engine:
    """The job store's own engine. On PostgreSQL its commits do not wait for the disk: the
    job store only says when to wake up; what was sent, and so what is due, is in
    reminderstate, committed durably, and a new leader re-plans from it. (Losing the last
    few job-store writes in a crash costs a wake-up that finds nothing new to do.)"""
    if is_sqlite(url):
        # Each job-store operation is one statement, so it needs no transaction around it:
        # in autocommit a lookup takes no write lock (BEGIN IMMEDIATE would, and the
        # commands' transactions would queue behind every re-plan's reads).
        return _sqlite_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    # Each job-store operation is one statement: autocommit saves a round trip or two.
    engine = create_engine(
        sync_url(url), pool_size=2, max_overflow=2, isolation_level="AUTOCOMMIT"
    )
    event.listen(engine, "connect", _no_wait_for_disk)
    return engine


def _no_wait_for_disk(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET synchronous_commit TO off")
