"""A prebuilt statement run by the driver itself, for many rows at once or for one (hot paths)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any] | None


class ManyRows:
    """A Core INSERT or UPDATE whose parameters are named, run for many rows at once (or for
    one, with what it returns).

    SQLAlchemy's executemany builds and type-processes each row's parameters in Python,
    which for a batch of sightings costs more than SQLite's writing them. Here the statement
    is compiled once per dialect and each value goes through the bind processor SQLAlchemy
    would have applied (SQLite's datetimes become its strings), so what is stored is the
    same; the rows then go to the driver as they are."""

    def __init__(self, statement: UpdateBase, names: Sequence[str]) -> None:
        self._statement = statement
        self._names = list(names)  # the columns an INSERT sets; an UPDATE names its own
        self._compiled: dict[str, tuple[str, bool, list[tuple[str, Processor]]]] = {}

    def __call__(self, connection: Connection, rows: Sequence[Mapping[str, object]]) -> None:
        if rows:
            sql, params = self._params(connection, rows)
            connection.exec_driver_sql(sql, params)

    def one(self, connection: Connection, row: Mapping[str, object]) -> Any:
        """Run the statement for one row; the first value it returns (an INSERT's
        `RETURNING id`)."""
        sql, params = self._params(connection, [row])
        return connection.exec_driver_sql(sql, params[0]).scalar_one()

    def _params(
        self, connection: Connection, rows: Sequence[Mapping[str, object]]
    ) -> tuple[str, list[Any]]:
        sql, positional, binds = self._for(connection)
        names = [name for name, _ in binds]
        processed = [
            (at, name, processor) for at, (name, processor) in enumerate(binds) if processor
        ]
        # a batch repeats its values (an entry's time in each of its sightings): each is
        # processed once
        done: dict[tuple[str, object], object] = {}
        params: list[Any] = []
        for row in rows:
            values = [row[name] for name in names]
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

    def _for(self, connection: Connection) -> tuple[str, bool, list[tuple[str, Processor]]]:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            done = self._statement.compile(dialect=dialect, column_keys=self._names)
            order = list(done.positiontup or []) if done.positional else list(done.binds)
            binds: list[tuple[str, Processor]] = [
                (name, done.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                for name in order
            ]
            compiled = (done.string, done.positional, binds)
            self._compiled[dialect.name] = compiled
        return compiled
