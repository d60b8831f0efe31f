"""One incident, two languages on two platforms: acme reads German in Europe/Berlin on Slack,
cert English in UTC on Matrix, for the same events; what people say is relayed as said."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakes.scheduler import run_due
from tests.integration.matrix.cross_platform.conftest import running_world
from tests.integration.matrix.cross_platform.world import T1, World, until
from tests.integration.matrix.homeserver import Homeserver
from warroom.bot.config import Config


def german_acme(config: Config) -> Config:
    berlin = {"locale": "de", "timezone": "Europe/Berlin"}
    orgs = tuple(dataclasses.replace(o, **berlin) if o.id == "acme" else o for o in config.orgs)
    return dataclasses.replace(config, orgs=orgs)


@pytest.fixture
async def world(
    synapse: Homeserver, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with running_world(
        synapse,
        sqlite_url,
        tmp_path,
        monkeypatch,
        # a title of its own: its room alias does not crowd the shared Synapse's
        title="Keys leaked in Berlin",
        adjust=german_acme,
        real_scheduler=True,
    ) as running:
        yield running


def bot_texts_on_slack(world: World, org: str) -> str:
    messages = world.fake.channels[world.rooms[org]].messages.values()
    return "\n".join(str(m["text"]) for m in messages if m.get("bot_id"))


def bot_texts_on_matrix(world: World) -> str:
    return "\n".join(n.body for n in world.cora.notices(world.rooms["cert"], world.bot_id))


async def test_each_org_reads_the_same_incident_in_its_own_language(world: World) -> None:
    # the summary card: German with Berlin time in acme's channel, English UTC in cert's room
    await until(lambda: "Schweregrad" in bot_texts_on_slack(world, "acme"))
    await world.cora.wait_for(lambda: "Severity" in bot_texts_on_matrix(world))
    assert " MEZ" in bot_texts_on_slack(world, "acme") or " MESZ" in bot_texts_on_slack(
        world, "acme"
    )
    assert " UTC" in bot_texts_on_matrix(world)
    assert "Schweregrad" not in bot_texts_on_matrix(world)

    # a status update is announced in each room's language; its words stay as typed
    await world.command(
        'update "Schlüssel rotiert, keys rotated" --state contained',
        channel=world.rooms["acme"],
        team=T1,
    )
    await world.settle()
    await until(lambda: "INC-1: Lagemeldung von" in bot_texts_on_slack(world, "acme"))
    await world.cora.wait_for(lambda: "INC-1 status update from" in bot_texts_on_matrix(world))
    assert "Schlüssel rotiert, keys rotated" in bot_texts_on_matrix(world)

    # what acme may not share is withheld, and alice is told so in German
    await world.slack_says("acme", "TLP:AMBER+STRICT nur intern: der Dienstleister war es")
    await until(lambda: "nicht an cert weitergeleitet" in world.told_privately_on_slack())
    assert "not relayed" not in world.told_privately_on_slack()
    assert "nur intern" not in bot_texts_on_matrix(world)


@pytest.fixture
async def digest_world(
    synapse: Homeserver, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    async with running_world(
        synapse,
        sqlite_url,
        tmp_path,
        monkeypatch,
        title="Keys leaked in Hamburg",
        adjust=german_acme,
        digest_rooms=True,
    ) as running:
        yield running


async def test_the_same_digest_reads_in_each_orgs_language_and_zone(digest_world: World) -> None:
    """A state change's digest: German with Berlin time in acme's digest channel on Slack,
    English in UTC in cert's digest room on Matrix; what alice said, as she said it."""
    world = digest_world
    await world.slack_says("acme", "TLP:GREEN indicator 203.0.113.7 blocked")
    await world.command(
        "update keys rotated --state contained", channel=world.rooms["acme"], team=T1
    )
    await world.settle()

    def acme_digest() -> str:
        channel = world.fake.channels[world.digest_rooms["acme"]]
        return "\n".join(str(m["text"]) for m in channel.messages.values() if m.get("bot_id"))

    def cert_digest() -> str:
        room = world.digest_rooms["cert"]
        return "\n".join(n.body for n in world.cora.notices(room, world.bot_id))

    await until(lambda: "INC-1 Lagebild" in acme_digest())
    await world.cora.wait_for(lambda: "INC-1 digest" in cert_digest())
    acme, cert = acme_digest(), cert_digest()
    assert " MEZ" in acme or " MESZ" in acme
    assert " UTC" in cert and " MEZ" not in cert and "Lagebild" not in cert
    assert "[Weiterleitung]" in acme and "[relay]" not in acme
    assert "[relay]" in cert
    for digest in (acme, cert):
        assert "TLP:GREEN indicator 203.0.113.7 blocked" in digest


async def test_the_commanders_reminder_reads_in_acmes_language_on_slack(world: World) -> None:
    """The reminder goes to the commander's (acme's) war room, in German with Berlin time;
    cert's room on Matrix gets none of its German."""
    assert world.app.reminders is not None
    await world.app.reminders.leading.wait()
    world.clock.advance(timedelta(hours=4, minutes=1))  # SEV3: one update every 4 hours
    await run_due(world.app.reminders)
    await world.settle()
    await until(lambda: "⏰ INC-1: Lagebericht überfällig" in bot_texts_on_slack(world, "acme"))
    reminder = bot_texts_on_slack(world, "acme")
    assert " MEZ" in reminder or " MESZ" in reminder
    await markers_said(world)
    assert "Lagebericht" not in bot_texts_on_matrix(world)


async def markers_said(world: World) -> None:
    """Whatever the bot said before a marker from Slack reached Matrix has reached it."""
    await world.slack_says("acme", "TLP:CLEAR marker")
    await world.matrix_copy("TLP:CLEAR marker")


async def test_a_playbooks_checklist_and_timeline_read_in_each_orgs_language(
    world: World,
) -> None:
    """The shipped playbook's tasks are the catalog's: German in acme's channel, English in
    cert's room; the timeline names its entry kinds in each reader's language."""
    await world.command("playbook ransomware", channel=world.rooms["acme"], team=T1)
    await world.settle()
    await until(lambda: "INC-1 Checkliste:" in bot_texts_on_slack(world, "acme"))
    assert "Betroffene Hosts vom Netz trennen" in bot_texts_on_slack(world, "acme")
    await world.cora.wait_for(lambda: "1. Isolate affected hosts" in bot_texts_on_matrix(world))
    assert "Betroffene Hosts" not in bot_texts_on_matrix(world)

    await world.cert_says("!incident timeline")
    await world.cora.wait_for(lambda: "[playbook]" in bot_texts_on_matrix(world))
    assert "Playbook ransomware applied: Ransomware" in bot_texts_on_matrix(world)
    assert "[Aufgabe]" not in bot_texts_on_matrix(world)


async def test_cert_is_told_of_what_it_may_not_relay_in_english(world: World) -> None:
    """A relay notice to cert's liaison on Matrix is English while acme reads German."""
    await world.cert_says("TLP:AMBER+STRICT cert only: the sensor list")
    notice = await world.cora.wait_notice(
        world.rooms["cert"], world.bot_id, "not relayed to acme: TLP:AMBER+STRICT stays within"
    )
    assert "nicht an" not in notice.body
    await markers_said(world)
    assert "cert only" not in bot_texts_on_slack(world, "acme")
