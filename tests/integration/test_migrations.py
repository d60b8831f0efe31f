"""The schema comes from Alembic, and Alembic's migrations match the tables in code."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from warroom.storage.engine import make_engine
from warroom.storage.migrate import current_revision, upgrade
from warroom.storage.schema_version import HEAD, stored_revision
from warroom.storage.search_index import outside_the_models


def described(name: str | None, type_: str, _parents: object) -> bool:
    """Compare what the models describe: not the full-text index's own tables."""
    return not (type_ == "table" and name is not None and outside_the_models(name))


def test_upgrade_creates_every_table_and_is_repeatable(empty_store_url: str) -> None:
    assert stored_revision(empty_store_url) is None
    upgrade(empty_store_url)
    upgrade(empty_store_url)
    engine = make_engine(empty_store_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        assert "alembic_version" in tables
    finally:
        engine.dispose()
    assert current_revision(empty_store_url) == stored_revision(empty_store_url) == HEAD


def test_the_migrations_match_the_models(empty_store_url: str) -> None:
    upgrade(empty_store_url)
    engine = make_engine(empty_store_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": described})
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []
