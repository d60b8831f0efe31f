"""Digests, what managers read: on state changes and on an interval, filtered by TLP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import run_due
from tests.integration.test_reminders import CONFIG, service, started
from warroom.bot.domain.events import RoomRef


@pytest.fixture
async def rbot(store_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, CONFIG)
    yield bot
    await bot.close()


def digests(bot: TestBot, org: str) -> list[Sent]:
    return [
        s
        for s in bot.adapter.of_kind("post")
        if s.room is not None and s.room.room_id == f"digest-{org}" and "digest" in s.text
    ]


def field(sent: Sent, label: str) -> str:
    assert sent.message is not None
    return next(f.value for f in sent.message.fields if f.label == label)


def war_room(bot: TestBot, org: str) -> RoomRef:
    for sent in bot.adapter.of_kind("create_room"):
        spec = sent.extra["spec"]
        if getattr(spec, "org", None) == org and sent.room is not None:
            return sent.room
    raise AssertionError(f"no war room for {org}")


async def open_shared(bot: TestBot, tlp: str = "amber", sev: int = 2) -> None:
    await bot.open(f'open "Customer DB leak" --sev {sev} --tlp {tlp} --org cert')
    bot.room = war_room(bot, "acme")


async def test_opening_sends_each_org_a_digest(rbot: TestBot) -> None:
    await open_shared(rbot)
    for org in ("acme", "cert"):
        [digest] = digests(rbot, org)
        assert "INC-1 digest: Customer DB leak" in digest.text
        assert (field(digest, "State"), field(digest, "Severity")) == ("investigating", "SEV2")
        assert field(digest, "Commander") == "alice"
        assert "Opened: Customer DB leak" in digest.text


async def test_periodic_digest_is_filtered_by_tlp(rbot: TestBot) -> None:
    await open_shared(rbot)
    await rbot.say("TLP:RED the attacker's name is Mallory")
    await rbot.say("TLP:AMBER+STRICT our own backups are stale")
    await rbot.say("TLP:GREEN patch available upstream")
    await rbot.say("shared with partners", org="acme")
    await rbot.say(
        "TLP:AMBER+STRICT cert-only lead", user="carol", org="cert", room=war_room(rbot, "cert")
    )
    rbot.clock.advance(timedelta(hours=1))
    await run_due(service(rbot))
    [_, acme] = digests(rbot, "acme")
    [_, cert] = digests(rbot, "cert")
    for text in (acme.text, cert.text):
        assert "Mallory" not in text
        assert "patch available upstream" in text
        assert "shared with partners" in text  # AMBER goes to the orgs taking part
    assert "our own backups are stale" in acme.text
    assert "our own backups are stale" not in cert.text
    assert "cert-only lead" in cert.text
    assert "cert-only lead" not in acme.text
    assert acme.message is not None and acme.message.tlp == "AMBER+STRICT"


async def test_periodic_digest_is_sent_only_when_there_is_news(rbot: TestBot) -> None:
    await open_shared(rbot, sev=4)  # no reminder (a timeline entry) within these hours
    rbot.clock.advance(timedelta(hours=1))
    await run_due(service(rbot))
    assert len(digests(rbot, "acme")) == 1, "nothing new since the opening digest"
    await rbot.say("TLP:RED only here")
    rbot.clock.advance(timedelta(hours=1))
    await run_due(service(rbot))
    assert len(digests(rbot, "acme")) == 1, "a RED message is no news for a digest"
    await rbot.say("TLP:CLEAR status page updated")
    rbot.clock.advance(timedelta(hours=1))
    await run_due(service(rbot))
    assert len(digests(rbot, "acme")) == 2
    assert "status page updated" in digests(rbot, "acme")[-1].text
    assert "Opened" not in digests(rbot, "acme")[-1].text, "only what is new since the last"


async def test_a_state_change_sends_a_digest_at_once(rbot: TestBot) -> None:
    await open_shared(rbot)
    await rbot.send("update note only")
    assert len(digests(rbot, "acme")) == 1, "an update without a state change waits"
    await rbot.send("update firewall rule in place --state contained")
    for org in ("acme", "cert"):
        latest = digests(rbot, org)[-1]
        assert field(latest, "State") == "contained"
        assert "firewall rule in place" in latest.text
        assert "[update] alice@acme: note only" in latest.text


async def test_final_digest_carries_the_metrics(rbot: TestBot) -> None:
    await open_shared(rbot)
    rbot.clock.advance(timedelta(minutes=10))
    await rbot.send("update on it --state contained")
    rbot.clock.advance(timedelta(minutes=50))
    await rbot.send("resolve keys rotated")
    final = digests(rbot, "cert")[-1]
    assert field(final, "State") == "resolved"
    assert field(final, "Time to contain") == "10 minutes"
    assert field(final, "Time to resolve") == "1 hour"
    assert "Resolved: keys rotated" in final.text


async def test_a_red_incident_digest_shows_no_title_and_no_entries(rbot: TestBot) -> None:
    await rbot.open('open "Board member phished" --sev 1 --tlp red')
    [digest] = digests(rbot, "acme")
    assert "Board member phished" not in digest.text
    assert "title withheld" in digest.text
    assert "No new timeline entries you may see." in digest.text


async def test_amber_strict_incident_title_reaches_only_the_own_org(rbot: TestBot) -> None:
    await open_shared(rbot, tlp="amber+strict")
    assert "Customer DB leak" in digests(rbot, "acme")[0].text
    assert "Customer DB leak" not in digests(rbot, "cert")[0].text


async def test_an_org_brought_in_later_gets_what_it_may_see_so_far(rbot: TestBot) -> None:
    await rbot.open('open "Customer DB leak" --sev 2 --tlp green')
    await rbot.say("TLP:AMBER+STRICT acme-internal detail")
    await rbot.say("public indicator 203.0.113.7")
    assert digests(rbot, "cert") == []
    await rbot.send("invite cert")
    [digest] = digests(rbot, "cert")
    assert "public indicator 203.0.113.7" in digest.text
    assert "acme-internal detail" not in digest.text
    assert "Opened: Customer DB leak" in digest.text
