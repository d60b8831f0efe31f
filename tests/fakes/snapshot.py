"""Every row of every table, to prove that something changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            rows = conn.execute(select(table)).all()
            tables[name] = sorted((tuple(r) for r in rows), key=repr)
    return tables
