"""Which schema revision a database is at and which this release's code wants, read without
Alembic: a command that only reads (`report`, `export`, `audit verify`) would otherwise
import Alembic, Mako and Pygments just to compare two names (a seventh of its start-up)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from warroom.storage.engine import make_engine

# The newest migration in storage/migrations/versions; tests/unit/test_schema_version.py
# fails when a migration is added without moving this.
HEAD = "0020_task_due_unused"


def stored_revision(url: str) -> str | None:
    """The revision Alembic last recorded in the database; None when it holds no schema."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version"))
            return found.scalar()
    finally:
        engine.dispose()
