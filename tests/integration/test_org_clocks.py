"""Each organisation's clock: from being brought in to its first act, as each reader may see
it; in the indicators, `stats` and the incident's export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.operations.export import incident_export
from warroom.bot.operations.stats import indicators
from warroom.storage.store import UnitOfWork

MINUTE = timedelta(minutes=1)


@pytest.fixture
async def world(store_url: str) -> AsyncIterator[CrossOrgBot]:
    bot = CrossOrgBot(store_url)
    yield bot
    await bot.app.stop()


async def bring_in(world: CrossOrgBot) -> None:
    """acme opens; 10 minutes later brings cert and cloud in; cert speaks first at RED
    (2 minutes in), then at GREEN (15 minutes in); cloud says nothing."""
    await world.command('open "phishing wave" --sev 2 --tlp green', name="alice", org="acme")
    world.clock.advance(10 * MINUTE)
    await world.command("invite cert", name="alice", org="acme")
    await world.command("invite cloud", name="alice", org="acme")
    world.clock.advance(2 * MINUTE)
    await world.say("TLP:RED our sensor saw it first", name="cora", org="cert")
    world.clock.advance(13 * MINUTE)
    await world.say("we see it too", name="cora", org="cert")
    await world.command('open "cloud only" --sev 2', name="carl", org="cloud")


def clocks(world: CrossOrgBot, as_org: str | None) -> list[tuple[str, int, int, float | None]]:
    with UnitOfWork(world.app.store.engine) as uow:
        found = indicators(uow, world.config, now=world.clock.now(), as_org=as_org)
    return [(c.org, c.brought_in, c.answered, c.median) for c in found.real.clocks]


async def test_each_org_is_timed_from_being_brought_in_to_its_first_act(
    world: CrossOrgBot,
) -> None:
    await bring_in(world)
    # everything: cert's first act is its RED message, 2 minutes after being brought in
    assert clocks(world, None) == [("cert", 1, 1, 120.0), ("cloud", 1, 0, None)]
    # cert sees its own RED message; acme may not, so for acme cert answered at GREEN
    assert clocks(world, "cert") == [("cert", 1, 1, 120.0), ("cloud", 1, 0, None)]
    assert clocks(world, "acme") == [("cert", 1, 1, 900.0), ("cloud", 1, 0, None)]


async def test_an_org_sees_only_the_incidents_it_took_part_in(world: CrossOrgBot) -> None:
    await bring_in(world)
    with UnitOfWork(world.app.store.engine) as uow:
        acme = indicators(uow, world.config, now=world.clock.now(), as_org="acme")
        cloud = indicators(uow, world.config, now=world.clock.now(), as_org="cloud")
        everyone = indicators(uow, world.config, now=world.clock.now())
    assert [r.count for r in acme.real.rows] == [1]
    assert [r.count for r in cloud.real.rows] == [2]
    assert [r.count for r in everyone.real.rows] == [2]


async def test_stats_shows_the_clocks_and_the_export_carries_them(world: CrossOrgBot) -> None:
    await bring_in(world)
    before = len(world.chat.sent)
    await world.command("stats", name="alice", org="acme")
    (answer,) = [s for s in world.chat.sent[before:] if s.kind == "notify"]
    assert answer.message is not None
    assert "cert: first answer median 15 minutes, p90 15 minutes (answered 1 of 1)" in (
        answer.message.body
    )
    assert "cloud: no answer yet (brought into 1)" in answer.message.body
    with UnitOfWork(world.app.store.engine) as uow:
        whole = incident_export(uow, "INC-1", config=world.config)
        for_acme = incident_export(uow, "INC-1", config=world.config, as_org="acme")
    assert whole["org_clocks"] == [
        {
            "org": "cert",
            "brought_in_at": "2026-01-01T12:10:00Z",
            "first_acted_at": "2026-01-01T12:12:00Z",
            "time_to_acknowledge_s": 120.0,
        },
        {
            "org": "cloud",
            "brought_in_at": "2026-01-01T12:10:00Z",
            "first_acted_at": None,
            "time_to_acknowledge_s": None,
        },
    ]
    assert for_acme["org_clocks"][0]["time_to_acknowledge_s"] == 900.0
