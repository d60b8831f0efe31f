"""With several processes on PostgreSQL, a leader-only adapter (Matrix's sync loop) runs in
the scheduler's leader only, and moves when leadership does."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.fakes.adapter import FakeAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, OrgConfig, RemindersConfig, StorageConfig


class LeaderOnlyAdapter(FakeAdapter):
    leader_only = True

    def __init__(self) -> None:
        super().__init__("fake")
        self.started = asyncio.Event()

    async def start(self, sink) -> None:  # type: ignore[no-untyped-def]
        await super().start(sink)
        self.started.set()


def process(url: str) -> tuple[App, LeaderOnlyAdapter]:
    adapter = LeaderOnlyAdapter()
    config = Config(
        storage=StorageConfig(url=url, auto_upgrade=False),
        reminders=RemindersConfig(leader_retry=timedelta(seconds=1)),
        orgs=(OrgConfig(id="acme", platform="fake", workspace="acme"),),
    )
    return build_app(config, adapters={"fake": adapter}), adapter


async def test_only_the_leader_serves_and_a_standby_takes_over(
    store_url: str, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite deployments are one process, which always leads")
    first, first_adapter = process(store_url)
    second, second_adapter = process(store_url)
    await first.start(outbox_interval=3600)
    await asyncio.wait_for(first_adapter.started.wait(), 10)
    await second.start(outbox_interval=3600)
    await asyncio.sleep(1.5)  # a standby's retry: it must stay a standby
    assert not second_adapter.started.is_set()

    await first.stop()
    await asyncio.wait_for(second_adapter.started.wait(), 10)
    await second.stop()


async def test_sqlite_starts_every_adapter_at_once(store_url: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the PostgreSQL case is above")
    app, adapter = process(store_url)
    await app.start(outbox_interval=3600)
    assert adapter.started.is_set()
    await app.stop()
