"""A timeline's hashed columns streamed for `audit verify`, each entry's time already in its
canonical text. On SQLite the rows come straight from the driver: SQLAlchemy's result
processing and the text -> datetime -> text round trip were most of a million-entry walk."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from warroom.storage.chain import canonical_time
from warroom.storage.models import TimelineEntry

HASHED_COLUMNS = (
    "seq",
    "at",
    "kind",
    "actor_platform",
    "actor_workspace",
    "actor_user_id",
    "actor_display",
    "actor_org",
    "text",
    "tlp",
    "source_event_id",
    "phrase",
    "hash_version",
    "prev_hash",
    "hash",
)

# how SQLAlchemy stores a datetime in SQLite: UTC, no offset, always six fractional digits;
# the hour stops at 23, as some Pythons read 24:00 as the next day's midnight
_STORED_AT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}"
)


def hashed_rows(connection: Connection, incident_id: int) -> Iterator[tuple[Any, ...]]:
    """Each entry's HASHED_COLUMNS as a tuple, in seq order, `at` as `canonical_time`."""
    query = hashed_query(incident_id)
    if connection.dialect.driver == "pysqlite":  # the stdlib sqlite3 module
        return _from_sqlite3(connection, query)
    return through_sqlalchemy(connection, query)


def hashed_query(incident_id: int) -> Select[Any]:
    table = TimelineEntry.__table__  # type: ignore[attr-defined]
    return (
        select(*(table.c[name] for name in HASHED_COLUMNS))
        .where(table.c.incident_id == incident_id)
        .order_by(table.c.seq)
    )


def through_sqlalchemy(connection: Connection, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows as SQLAlchemy reads them (any database; the reference for the fast read)."""
    for row in connection.execution_options(yield_per=5000).execute(query):
        yield (row[0], canonical_time(row[1]), *row[2:])


def _from_sqlite3(connection: Connection, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    compiled = query.compile(dialect=connection.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    at_type = TimelineEntry.__table__.c.at.type  # type: ignore[attr-defined]
    processor = at_type.dialect_impl(connection.dialect).result_processor(connection.dialect, None)
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(compiled.string, params)
        for row in cursor:
            yield (row[0], _time_of(row[1], processor), *row[2:])
    finally:
        cursor.close()


def _time_of(stored: Any, processor: Callable[[Any], Any] | None) -> str:
    """The canonical text of a stored time, as SQLAlchemy would read it and `canonical_time`
    write it; the common form is rewritten as text, after the same parse (which rejects a
    date that does not exist just as SQLAlchemy's does)."""
    if type(stored) is str and _STORED_AT.fullmatch(stored):
        datetime.fromisoformat(stored)
        return f"{stored[:10]}T{stored[11:]}+00:00"
    at: datetime = processor(stored) if processor is not None else stored
    return canonical_time(at)
