"""Installations and OAuth states in the database, on every storage backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from warroom.bot.domain.port import Installation
from warroom.storage.installations import StoredInstallations, installed
from warroom.storage.store import Store

NOW = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    yield opened
    opened.close()


def install(workspace: str, sealed: str = "gAAAA-sealed", name: str = "") -> Installation:
    return Installation("slack", workspace, sealed, NOW, name=name, installed_by="U0ADMIN")


async def test_an_installation_is_saved_found_and_replaced(store: Store) -> None:
    records = StoredInstallations(store)
    await records.save(install("T1", "first", name="acme"))
    await records.save(install("T2"))
    await records.save(install("T1", "second", name="acme corp"))
    found = await records.find("slack", "T1")
    assert found == install("T1", "second", name="acme corp")
    assert [i.workspace for i in await records.every("slack")] == ["T1", "T2"]
    assert await records.every("matrix") == []
    assert await records.find("matrix", "T1") is None


async def test_removing_an_installation_is_told_once(store: Store) -> None:
    records = StoredInstallations(store)
    await records.save(install("T1"))
    assert store.transaction_sync(lambda uow: installed(uow, "slack", "T1"))
    assert await records.remove("slack", "T1") is True
    assert await records.remove("slack", "T1") is False
    assert not store.transaction_sync(lambda uow: installed(uow, "slack", "T1"))


async def test_a_state_is_good_once_and_only_until_it_expires(store: Store) -> None:
    records = StoredInstallations(store)
    await records.issue_state("slack", "s-1", NOW + timedelta(minutes=10))
    await records.issue_state("slack", "s-2", NOW + timedelta(minutes=10))
    assert await records.consume_state("matrix", "s-1", NOW) is False  # another platform's
    assert await records.consume_state("slack", "s-1", NOW) is True
    assert await records.consume_state("slack", "s-1", NOW) is False  # used
    assert await records.consume_state("slack", "never-issued", NOW) is False
    later = NOW + timedelta(minutes=10)
    assert await records.consume_state("slack", "s-2", later) is False  # expired
