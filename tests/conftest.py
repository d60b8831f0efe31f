"""Shared fixtures: every storage-touching test runs on SQLite and, when
WARROOM_TEST_PG_URL is set, on PostgreSQL in a schema of its own."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.bot import TestBot
from warroom.storage.migrate import upgrade

PG_URL = os.environ.get("WARROOM_TEST_PG_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def pg_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def pg_schema() -> Iterator[str]:
    """A PostgreSQL schema of its own for one test, dropped afterwards; yields its URL."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(PG_URL, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'warroom.db'}"
        return
    with pg_schema() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per run and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "warroom.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def store_url(empty_store_url: str, sqlite_template: Path) -> str:
    """A fresh database at the newest schema, on each backend."""
    if empty_store_url.startswith("sqlite:///"):
        shutil.copyfile(sqlite_template, empty_store_url.removeprefix("sqlite:///"))
    else:
        upgrade(empty_store_url)
    return empty_store_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'warroom.db'}"


@pytest.fixture
async def bot(store_url: str) -> AsyncIterator[TestBot]:
    test_bot = TestBot(store_url)
    yield test_bot
    await test_bot.close()
