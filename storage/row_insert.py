"""A model's rows written one Core statement each, without the ORM's flush (a hot path)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from warroom.storage.prepared import Prepared

M = TypeVar("M", bound=SQLModel)


class RowInsert(Generic[M]):
    """`INSERT ... RETURNING id` of a table model with an `id` key: the row is written at
    once, in the order asked, and the object is not tracked by the session (a later change
    in the unit of work reads it again); its `id` is set."""

    def __init__(self, model: type[M]) -> None:
        table: Any = model.__table__  # type: ignore[attr-defined]
        self._columns = tuple(c.name for c in table.columns if c.name != "id")
        self._insert = Prepared(insert(table).returning(table.c.id), self._columns)

    def __call__(self, session: Session, row: M) -> M:
        values = {name: getattr(row, name) for name in self._columns}
        row.id = self._insert.one(session.connection(), values).scalar_one()
        return row
