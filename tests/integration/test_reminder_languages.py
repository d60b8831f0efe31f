"""One incident, two organisations, two languages: acme reads German in Berlin's time,
cert English in UTC, for the same reminder, escalation, relay notice and digest.

The German assertions need the German catalog with group C's texts (bot/locale)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import run_due
from tests.integration.test_digests import war_room
from tests.integration.test_reminders import service, started
from warroom.bot.config import parse_config

CONFIG = parse_config(
    {
        "reminders": {"sev1": "30m"},
        "orgs": [
            {
                "id": "acme",
                "platform": "console",
                "digest_room": "digest-acme",
                "locale": "de",
                "timezone": "Europe/Berlin",
            },
            {"id": "cert", "platform": "console", "digest_room": "digest-cert"},
        ],
        "sharing": [{"orgs": ["acme", "cert"]}],
    }
)
MIN = timedelta(minutes=1)


@pytest.fixture
async def bot(store_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, CONFIG)
    await bot.open('open "Customer DB leak" --sev 1 --tlp green --org cert')  # 12:00 UTC
    bot.room = war_room(bot, "acme")
    yield bot
    await bot.close()


def posted_in(bot: TestBot, room_id: str) -> list[Sent]:
    """What the bot said there, but the lines of signed checkpoints."""
    return [
        s
        for s in bot.adapter.of_kind("post")
        if s.room is not None and s.room.room_id == room_id and s.message is not None
        if s.message.attachment is None
    ]


async def advance(bot: TestBot, delta: timedelta) -> None:
    bot.clock.advance(delta)
    await run_due(service(bot))


async def test_the_reminder_reads_german_with_berlin_time_in_acme_room(bot: TestBot) -> None:
    bot.adapter.clear()
    await advance(bot, 30 * MIN)
    [sent] = [s for s in posted_in(bot, bot.room.room_id) if s.message and "⏰" in s.text]
    assert sent.message is not None
    assert sent.message.title == "⏰ INC-1: Lagebericht überfällig"
    assert "alice, 30 Minuten ohne Lagebericht zu INC-1" in sent.message.body
    assert "13:00 MEZ" in sent.message.body and "UTC" not in sent.message.body
    assert "SEV1 verlangt einen alle 30 Minuten" in sent.message.body
    assert "`/incident update WHAT CHANGED`" in sent.message.body  # the command as typed
    with bot.db() as uow:
        texts = [e.text for e in uow.timeline.entries(1) if e.kind == "reminder"]
    assert texts == ["Reminder: no status update for 30m; alice mentioned"]  # stored English


async def test_the_escalation_reads_in_each_room_language_and_zone(bot: TestBot) -> None:
    cert_room = war_room(bot, "cert")
    await advance(bot, 30 * MIN)
    bot.adapter.clear()
    await advance(bot, 15 * MIN)  # nobody answered; there is no deputy: every room hears it
    acme = [s for s in posted_in(bot, bot.room.room_id) if "⚠" in s.text]
    cert = [s for s in posted_in(bot, cert_room.room_id) if "⚠" in s.text]
    assert [s.message.title for s in acme if s.message] == [
        "⚠ INC-1: Lagebericht überfällig, eskaliert"
    ]
    assert [s.message.title for s in cert if s.message] == [
        "⚠ INC-1: status update overdue, escalated"
    ]
    assert "Es ist keine Stellvertretung zugewiesen" in acme[0].text
    assert "45 Minuten ohne Lagebericht zu INC-1" in acme[0].text
    assert "No deputy is assigned" in cert[0].text and "for 45 minutes" in cert[0].text
    [notice] = [s for s in posted_in(bot, "digest-acme") if "eskaliert" in s.text]
    assert notice.message is not None
    fields = {f.label: f.value for f in notice.message.fields}
    assert fields["Schweregrad"] == "SEV1" and fields["Stellvertretung"] == "keine zugewiesen"
    assert fields["Letzter Lagebericht"] == "13:00 MEZ (vor 45 Minuten)"


async def test_the_relay_notice_reads_in_the_sender_language(bot: TestBot) -> None:
    said = await bot.say("TLP:AMBER+STRICT payroll server isolated", user="alice", org="acme")
    [told] = [s for s in said if s.kind == "notify"]
    assert told.text == "nicht an cert weitergeleitet: TLP:AMBER+STRICT bleibt innerhalb von acme"
    cert_room = war_room(bot, "cert")
    said = await bot.say("TLP:AMBER+STRICT our own notes", user="cora", org="cert", room=cert_room)
    [told] = [s for s in said if s.kind == "notify"]
    assert told.text == "not relayed to acme: TLP:AMBER+STRICT stays within cert"


async def test_the_digest_reads_german_in_acme_and_english_in_cert(bot: TestBot) -> None:
    bot.clock.advance(90 * MIN)  # 13:30 UTC, 14:30 MEZ
    await bot.say("TLP:GREEN indicator 203.0.113.7 blocked", user="alice", org="acme")
    bot.adapter.clear()
    await bot.send("update keys rotated --state contained")
    [acme] = posted_in(bot, "digest-acme")
    [cert] = posted_in(bot, "digest-cert")
    assert acme.message is not None and cert.message is not None
    assert acme.message.title == "📋 INC-1 Lagebild: Customer DB leak"
    assert cert.message.title == "📋 INC-1 digest: Customer DB leak"
    assert "14:30 MEZ" in acme.message.body and "UTC" not in acme.message.body
    assert "13:30 UTC" in cert.message.body and "MEZ" not in cert.message.body
    # the bot's relay decision, in each reader's words; what alice said, as she said it
    assert "TLP:GREEN-Nachricht von alice (acme): an cert weitergeleitet" in acme.message.body
    assert "TLP:GREEN message from alice (acme): relayed to cert" in cert.message.body
    assert "[Weiterleitung] " in acme.message.body and "[relay] " not in acme.message.body
    assert "[relay] " in cert.message.body
    for digest in (acme, cert):
        assert "TLP:GREEN indicator 203.0.113.7 blocked" in digest.text
    labels = [f.label for f in acme.message.fields]
    assert labels == ["Schweregrad", "Status", "Commander"]
