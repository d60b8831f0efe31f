"""`/metrics` on the one HTTP server, scraped over loopback and read with prometheus-client's
own parser: commands by verb and outcome, relay decisions, reminder lateness, platform
failures, and the gauges read from the store at scrape time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.adapter import FakeAdapter
from tests.fakes.bot import TestBot
from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, HttpConfig, OrgConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.events import Actor, CommandReceived, RoomRef, UserRef

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parsed(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


@pytest.fixture
async def served(store_url: str) -> AsyncIterator[tuple[App, FakeAdapter, FakeClock, str]]:
    config = Config(
        storage=StorageConfig(url=store_url, auto_upgrade=False),
        http=HttpConfig(listen="127.0.0.1:0"),
        orgs=(OrgConfig(id="acme", platform="fake", workspace="acme"),),
    )
    adapter, clock = FakeAdapter("fake"), FakeClock()
    app = build_app(config, adapters={"fake": adapter}, clock=clock, serve_http=True)
    await app.start(outbox_interval=3600)
    assert app.http is not None
    try:
        yield app, adapter, clock, f"http://127.0.0.1:{app.http.port}"
    finally:
        await app.stop()


async def command(app: App, text: str, room: RoomRef, n: int) -> None:
    actor = Actor(UserRef("fake", "acme", "alice", "alice"), "acme")
    await app.core.handle(CommandReceived(actor, room, text, f"e{n}"))


async def scrape(base: str) -> tuple[str, Samples]:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        assert response.status == 200
        text = await response.text()
        return response.headers["Content-Type"], parsed(text)


async def test_commands_and_open_incidents_are_counted_and_scraped(
    served: tuple[App, FakeAdapter, FakeClock, str],
) -> None:
    app, adapter, _, base = served
    lobby = RoomRef("fake", "W1", "lobby")
    await command(app, 'open "leak" --sev 1', lobby, 1)
    room = adapter.of_kind("create_room")[-1].room
    assert room is not None
    await command(app, "note", room, 2)  # no text: refused
    await command(app, "frobnicate", room, 3)
    await command(app, 'open "drill" --sev 3 --exercise', lobby, 4)
    await app.idle()
    await app.services.outbox.drain()
    kind, samples = await scrape(base)
    assert kind.startswith("text/plain")
    assert value(samples, "warroom_commands_total", verb="open", outcome="ok") == 2
    assert value(samples, "warroom_commands_total", verb="note", outcome="refused") == 1
    assert value(samples, "warroom_commands_total", verb="(unknown)", outcome="unknown_verb") == 1
    assert (
        value(samples, "warroom_open_incidents", severity="1", org="acme", exercise="false") == 1
    )
    assert value(samples, "warroom_open_incidents", severity="3", org="acme", exercise="true") == 1
    assert value(samples, "warroom_outbox_depth") == 0
    await command(app, "resolve", room, 5)
    _, samples = await scrape(base)
    assert (
        value(samples, "warroom_open_incidents", severity="1", org="acme", exercise="false")
        is None
    )


async def test_a_platform_outage_shows_as_errors_and_a_deep_old_outbox(
    served: tuple[App, FakeAdapter, FakeClock, str],
) -> None:
    app, adapter, clock, base = served
    lobby = RoomRef("fake", "W1", "lobby")
    adapter.down = True
    await command(app, 'open "leak" --sev 2', lobby, 1)
    clock.advance(timedelta(minutes=5))
    _, samples = await scrape(base)
    assert (
        value(samples, "warroom_platform_errors_total", adapter="fake", kind="error") or 0
    ) >= 1
    assert (value(samples, "warroom_outbox_depth") or 0) >= 1
    assert value(samples, "warroom_outbox_oldest_age_seconds") == 300


async def test_relay_decisions_are_counted_by_outcome_and_reason(store_url: str) -> None:
    world = CrossOrgBot(store_url)
    try:
        await world.command('open "wave" --sev 2 --tlp amber', name="alice", org="acme")
        await world.command("invite cloud", name="alice", org="acme")  # capped at GREEN
        await world.command("invite cert", name="alice", org="acme")
        await world.say("amber news", name="alice", org="acme")
        await world.say("TLP:RED only here", name="alice", org="acme")
        assert world.app.metrics is not None
        samples = parsed(world.app.metrics.scrape().decode())
    finally:
        await world.app.stop()
    decided = "warroom_relay_decisions_total"
    assert value(samples, decided, outcome="relayed", reason="allowed") == 1  # cert
    assert value(samples, decided, outcome="withheld", reason="above_cap") == 1  # cloud
    assert value(samples, decided, outcome="withheld", reason="red") == 2


async def test_a_reminder_sent_late_is_in_the_lateness_histogram(store_url: str) -> None:
    bot = TestBot(store_url)
    try:
        await bot.open('open "leak" --sev 1')  # reminded every 30 minutes
        bot.clock.advance(timedelta(minutes=31))
        assert bot.app.reminders is not None
        await bot.app.reminders.fire(1)
        assert bot.app.metrics is not None
        samples = parsed(bot.app.metrics.scrape().decode())
    finally:
        await bot.close()
    histogram = "warroom_reminder_lateness_seconds"
    assert value(samples, f"{histogram}_count") == 1
    assert value(samples, f"{histogram}_sum") == 60
    assert value(samples, f"{histogram}_bucket", le="30.0") == 0
    assert value(samples, f"{histogram}_bucket", le="60.0") == 1
