"""A cross-platform world per test: the fake Slack, cert's liaison on the session Synapse,
and one warroom serving both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.matrix.conftest import new_human, unique
from tests.integration.matrix.cross_platform.world import (
    World,
    new_fake_slack,
    world_config,
    world_env,
)
from tests.integration.matrix.homeserver import Homeserver


@pytest.fixture
async def world(
    synapse: Homeserver, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    fake = await new_fake_slack()
    cora = await new_human(synapse, "cora", tmp_path)
    bot = synapse.register(unique("warroom"))
    for name, value in world_env(fake, bot).items():
        monkeypatch.setenv(name, value)
    config = world_config(sqlite_url, fake, synapse, bot, cora.user_id, tmp_path)
    running = World(fake, config, cora)
    await running.start()
    try:
        await running.open("Leaked keys")
        yield running
    finally:
        await running.stop()
        await cora.stop()
        await fake.stop()
