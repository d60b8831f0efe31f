"""Hot statements compiled once and handed to the driver itself, for one row or many."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult, Insert
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.schema import ScalarElementColumnDefault

Processor = Callable[[Any], Any] | None
_Compiled = tuple[str, bool, list[tuple[str, Processor]]]


class Prepared:
    """A Core statement whose parameters are named (an INSERT, an UPDATE, a text), compiled
    once per dialect and run by the driver: for a timeline entry or a batch of sightings,
    SQLAlchemy's building and type-processing each execution's parameters in Python costs
    more than the database's writing them. Each value goes through the bind processor
    SQLAlchemy would have applied (SQLite's datetimes become its strings), so what is
    stored is the same. An INSERT fills the columns a row leaves out with their defaults."""

    def __init__(self, statement: Executable, names: Sequence[str] = ()) -> None:
        self._statement = statement
        self._names = list(names)  # the columns an INSERT sets; other statements name theirs
        self._defaults: dict[str, object] = {}
        if isinstance(statement, Insert):
            self._defaults = {
                column.name: column.default.arg
                for column in statement.table.columns
                if isinstance(column.default, ScalarElementColumnDefault)
            }
        self._compiled: dict[str, _Compiled] = {}

    def many(self, connection: Connection, rows: Sequence[Mapping[str, object]]) -> None:
        if rows:
            sql, params = self._params(connection, rows)
            connection.exec_driver_sql(sql, params)

    def one(self, connection: Connection, row: Mapping[str, object]) -> CursorResult[Any]:
        sql, params = self._params(connection, [row])
        return connection.exec_driver_sql(sql, params[0])

    def _params(
        self, connection: Connection, rows: Sequence[Mapping[str, object]]
    ) -> tuple[str, list[Any]]:
        sql, positional, binds = self._for(connection)
        names = [name for name, _ in binds]
        defaults = self._defaults
        processed = [
            (at, name, processor) for at, (name, processor) in enumerate(binds) if processor
        ]
        # a batch repeats its values (an entry's time in each of its sightings): each is
        # processed once
        done: dict[tuple[str, object], object] = {}
        params: list[Any] = []
        for row in rows:
            values = [row[name] if name in row else defaults[name] for name in names]
            for at, name, processor in processed:
                key = (name, values[at])
                try:
                    if key not in done:
                        done[key] = processor(values[at])
                    values[at] = done[key]
                except TypeError:  # a value that cannot be a key (a JSON document)
                    values[at] = processor(values[at])
            params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
        return sql, params

    def _for(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            keys = self._names or None
            done = self._statement.compile(dialect=dialect, column_keys=keys)  # type: ignore[attr-defined]
            order = list(done.positiontup or []) if done.positional else list(done.binds)
            binds: list[tuple[str, Processor]] = [
                (name, done.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                for name in order
            ]
            compiled = (done.string, done.positional, binds)
            self._compiled[dialect.name] = compiled
        return compiled
