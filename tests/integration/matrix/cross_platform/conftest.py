"""A cross-platform world per test: the fake Slack, cert's liaison on the session Synapse,
and one warroom serving both."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.fakes.scheduler import on_clock
from tests.integration.matrix.conftest import new_human, unique
from tests.integration.matrix.cross_platform.world import (
    T1,
    World,
    new_fake_slack,
    world_config,
    world_env,
)
from tests.integration.matrix.homeserver import Homeserver
from warroom.bot.config import Config


@contextlib.asynccontextmanager
async def running_world(
    synapse: Homeserver,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    title: str = "Leaked keys",
    adjust: Callable[[Config], Config] = lambda config: config,
    real_scheduler: bool = False,
    digest_rooms: bool = False,
) -> AsyncIterator[World]:
    """A world with its incident open; `adjust` changes its config first, with
    `real_scheduler` APScheduler runs on the world's clock, and with `digest_rooms` acme has
    a digest channel on Slack and cert a digest room on Matrix (`World.digest_rooms`)."""
    fake = await new_fake_slack()
    cora = await new_human(synapse, "cora", tmp_path)
    bot = synapse.register(unique("warroom"))
    for name, value in world_env(fake, bot).items():
        monkeypatch.setenv(name, value)
    config = world_config(sqlite_url, fake, synapse, bot, cora.user_id, tmp_path)
    digests: dict[str, str] = {}
    if digest_rooms:
        acme_bot = next(team.bot_user for team in fake.teams.values() if team.id == T1)
        fake.add_channel(T1, "acme-digest", members=[acme_bot], channel_id="CDIGESTACME")
        cert_room = await cora.create_room(invite=[bot.user_id], encrypted=False)
        digests = {"acme": "CDIGESTACME", "cert": cert_room}
        orgs = tuple(
            dataclasses.replace(o, digest_room=digests[o.id]) if o.id in digests else o
            for o in config.orgs
        )
        config = dataclasses.replace(config, orgs=orgs)
    running = World(fake, adjust(config), cora)
    running.digest_rooms = digests
    if real_scheduler:
        on_clock(monkeypatch, running.clock)
    await running.start()
    try:
        await running.open(title)
        yield running
    finally:
        await running.stop()
        await cora.stop()
        await fake.stop()


@pytest.fixture
async def world(
    synapse: Homeserver, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with running_world(synapse, sqlite_url, tmp_path, monkeypatch) as running:
        yield running
