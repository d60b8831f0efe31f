"""Fixtures: the fake Slack on loopback, and warroom serving it in either mode."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import ACME, ALICE, BOB, CERT, SlackRig, rig_config, rig_env


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.add_team(ACME, name="acme")
    fake.add_team(CERT, name="cert")
    await fake.start()
    fake.add_channel(ACME, "general", members=[ALICE, BOB], channel_id="C0GENERAL")
    yield fake
    await fake.stop()


async def _rig(
    mode: str, store_url: str, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackRig]:
    for name, value in rig_env(fake).items():
        monkeypatch.setenv(name, value)
    rig = SlackRig(fake, rig_config(store_url, fake, mode), mode)
    await rig.start()
    try:
        yield rig
    finally:
        await rig.stop()


@pytest.fixture(params=["http", "socket"])
async def rig(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackRig]:
    """Both connection modes, on SQLite."""
    async for r in _rig(request.param, sqlite_url, fake_slack, monkeypatch):
        yield r


@pytest.fixture
async def http_rig(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackRig]:
    """HTTP mode on every storage backend (SQLite, and PostgreSQL when configured)."""
    async for r in _rig("http", store_url, fake_slack, monkeypatch):
        yield r


@pytest.fixture
async def socket_rig(
    sqlite_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackRig]:
    async for r in _rig("socket", sqlite_url, fake_slack, monkeypatch):
        yield r
