"""One incident, two organisations, two languages: acme reads German in Berlin time, cert
English in UTC. Cards, topics and the Markdown report speak each reader's language; the JSON
export stays as stored (English, UTC)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.bot import TestBot
from warroom.bot.cli import main
from warroom.bot.config import Config, OrgConfig
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.sharing import Agreement
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export, markdown_report

EVENING = datetime(2026, 11, 20, 18, 32, tzinfo=UTC)  # 19:32 MEZ in Berlin
CONFIG = Config(
    orgs=(
        OrgConfig(
            id="acme", platform="fake", workspace="acme", locale="de", timezone="Europe/Berlin"
        ),
        OrgConfig(id="cert", platform="fake", workspace="cert", liaison="cora"),
    ),
    sharing=(Agreement(("acme", "cert"), Tlp.AMBER),),
)


@pytest.fixture
async def bot(store_url: str) -> AsyncIterator[TestBot]:
    test_bot = TestBot(store_url, config=CONFIG)
    test_bot.clock.advance(EVENING - test_bot.clock.now())
    await test_bot.open('open "DB leak" --sev 2 --org cert')
    test_bot.room = room_of(test_bot, "acme")
    yield test_bot
    await test_bot.close()


def room_of(bot: TestBot, org: str) -> RoomRef:
    for sent in bot.adapter.of_kind("create_room"):
        if sent.extra["spec"].org == org:  # type: ignore[attr-defined]
            assert sent.room is not None
            return sent.room
    raise AssertionError(f"no room for {org}")


def card_in(bot: TestBot, room: RoomRef) -> Message:
    """The latest version of the summary card in `room`."""
    cards = [
        s.message
        for s in bot.adapter.sent
        if s.room == room and s.kind in ("post", "edit") and s.message and s.message.fields
    ]
    assert cards, f"no card in {room}"
    return cards[-1]


def fields(message: Message) -> dict[str, str]:
    return {f.label: f.value for f in message.fields}


def topic_in(bot: TestBot, room: RoomRef) -> str:
    topics = [s.extra["topic"] for s in bot.adapter.of_kind("topic") if s.room == room]
    assert topics, f"no topic in {room}"
    return str(topics[-1])


def export(bot: TestBot, as_org: str | None = None, lang: Any = None) -> dict[str, Any]:
    extra = {"lang": lang} if lang is not None else {}
    return bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=bot.config, as_org=as_org, **extra)
    )


async def test_one_card_reads_in_each_rooms_language_and_zone(bot: TestBot) -> None:
    await bot.send("update 'keys rotated' --state contained")
    acme, cert = card_in(bot, room_of(bot, "acme")), card_in(bot, room_of(bot, "cert"))
    assert fields(acme)["Eröffnet"] == "20. Nov. 2026, 19:32 MEZ"
    assert fields(acme)["Schweregrad"] == "SEV2" and fields(acme)["Letzter Stand"]
    assert fields(cert)["Opened"] == "Nov 20, 2026, 18:32 UTC"
    assert fields(cert)["Severity"] == "SEV2" and fields(cert)["Last update"]
    assert acme.title == cert.title == "INC-1: DB leak", "what people said stays as said"


async def test_each_room_topic_is_in_its_language_with_the_tokens_as_typed(bot: TestBot) -> None:
    await bot.send("update 'scoped' --state contained")
    acme, cert = topic_in(bot, room_of(bot, "acme")), topic_in(bot, room_of(bot, "cert"))
    assert acme == "SEV2 · contained · Commander: alice · TLP:AMBER"
    assert cert == "SEV2 · contained · commander: alice · TLP:AMBER"


async def test_markdown_report_per_org_in_its_language_and_zone(bot: TestBot) -> None:
    await bot.send("role deputy @cora", org="acme")
    acme = markdown_report(
        export(bot, "acme", bot.config.language("acme")), bot.config.language("acme")
    )
    cert = markdown_report(
        export(bot, "cert", bot.config.language("cert")), bot.config.language("cert")
    )
    assert "## Zusammenfassung" in acme and "| Eröffnet | 20. Nov. 2026, 19:32 MEZ |" in acme
    assert "Eröffnet: DB leak (SEV2, TLP:AMBER)" in acme, "the bot's own entry in German"
    assert "alice ist jetzt commander" in acme and "## Summary" not in acme
    assert "## Summary" in cert and "| Opened | Nov 20, 2026, 18:32 UTC |" in cert
    assert "Opened: DB leak (SEV2, TLP:AMBER)" in cert and "alice is now commander" in cert
    assert "Zusammenfassung" not in cert and "MEZ" not in cert
    # the timeline's kind column names each kind in the reader's language
    assert "| eröffnet | alice (acme) |" in acme and "| Rolle |" in acme
    assert "| opened | alice (acme) |" in cert and "| eröffnet |" not in cert


async def test_a_shipped_playbook_reads_in_each_orgs_report(bot: TestBot) -> None:
    await bot.send("playbook ransomware", org="acme")
    acme = markdown_report(
        export(bot, "acme", bot.config.language("acme")), bot.config.language("acme")
    )
    cert = markdown_report(
        export(bot, "cert", bot.config.language("cert")), bot.config.language("cert")
    )
    assert "1. Betroffene Hosts vom Netz trennen (nicht ausschalten" in acme
    assert "Playbook ransomware angewendet: Ransomware" in acme
    assert "1. Isolate affected hosts from the network" in cert
    assert "Betroffene Hosts" not in cert
    as_acme = export(bot, "acme")
    assert as_acme["tasks"][0]["text"].startswith("Isolate affected hosts"), "JSON: English"
    assert {e["kind"] for e in as_acme["timeline"]} >= {"opened", "playbook", "task"}


async def test_json_export_keeps_its_shape_english_texts_and_utc(bot: TestBot) -> None:
    english, as_acme = export(bot), export(bot, "acme")
    assert set(as_acme) == set(english)
    assert as_acme["opened_at"] == english["opened_at"] == "2026-11-20T18:32:00Z"
    texts = [e["text"] for e in as_acme["timeline"]]
    assert texts == [e["text"] for e in english["timeline"]]
    assert texts[0] == "Opened: DB leak (SEV2, TLP:AMBER)", "stored English, not acme's German"
    assert all(e["at"].endswith("Z") for e in as_acme["timeline"])


def cli(tmp_path: Path, store_url: str, *args: str) -> list[str]:
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[storage]\nurl = "{store_url}"\nauto_upgrade = false\n\n'
        '[[orgs]]\nid = "acme"\nplatform = "console"\nworkspace = "acme"\nlocale = "de"\n'
        'timezone = "Europe/Berlin"\n\n[[orgs]]\nid = "cert"\nplatform = "console"\n'
        'workspace = "cert"\n\n[[sharing]]\norgs = ["acme", "cert"]\nmax_tlp = "AMBER"\n',
        encoding="utf-8",
    )
    return ["export", "INC-1", "-c", str(config), *args]


async def test_cli_locale_without_as_org_chooses_the_report_language(
    bot: TestBot, tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(cli(tmp_path, store_url, "--format", "md", "--locale", "de")) == 0
    german = capsys.readouterr().out
    assert "## Zusammenfassung" in german and "| Eröffnet | 20. Nov. 2026, 18:32 UTC |" in german
    argv = cli(
        tmp_path, store_url, "--format", "md", "--locale", "de", "--timezone", "Europe/Berlin"
    )
    assert main(argv) == 0
    assert "| Eröffnet | 20. Nov. 2026, 19:32 MEZ |" in capsys.readouterr().out
    assert main(cli(tmp_path, store_url, "--format", "md")) == 0
    assert "| Opened | Nov 20, 2026, 18:32 UTC |" in capsys.readouterr().out, "default: en, UTC"
    assert main(cli(tmp_path, store_url, "--format", "md", "--as-org", "acme")) == 0
    assert "| Eröffnet | 20. Nov. 2026, 19:32 MEZ |" in capsys.readouterr().out


async def test_cli_json_is_the_same_whatever_the_locale(
    bot: TestBot, tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(cli(tmp_path, store_url, "--as-org", "acme")) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(cli(tmp_path, store_url, "--as-org", "acme", "--locale", "de")) == 0
    assert json.loads(capsys.readouterr().out) == plain
    assert plain["timeline"][0]["text"].startswith("Opened: DB leak")


@pytest.mark.parametrize(
    ("flag", "value", "error"),
    [
        ("--locale", "fr", "warroom: --locale: 'fr' is not one of en, de"),
        ("--timezone", "Mars/Olympus", "warroom: --timezone: 'Mars/Olympus' is not an IANA"),
    ],
)
async def test_cli_refuses_a_bad_locale_or_zone_in_one_line(
    bot: TestBot,
    tmp_path: Path,
    store_url: str,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
    error: str,
) -> None:
    assert main(cli(tmp_path, store_url, "--format", "md", flag, value)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(error) and err.count("\n") == 1


async def test_a_withheld_title_reads_in_each_readers_language(bot: TestBot) -> None:
    await bot.send('open "TLP:RED payroll fraud" --org acme', user="cora", org="cert")
    rooms = {s.extra["spec"].org: s.room for s in bot.adapter.of_kind("create_room")[2:]}  # type: ignore[attr-defined]
    acme, cert = card_in(bot, rooms["acme"]), card_in(bot, rooms["cert"])
    assert acme.title == "INC-2 (Titel zurückgehalten: TLP:RED)"
    assert cert.title == "INC-2: TLP:RED payroll fraud", "the sayer's own room sees it"
    german = bot.config.language("acme")
    report = bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-2", config=bot.config, as_org="acme", lang=german)
    )
    assert markdown_report(report, german).startswith(
        "# INC-2: INC-2 (Titel zurückgehalten: TLP:RED)"
    )
    english = bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-2", config=bot.config, as_org="acme")
    )
    assert english["title"] == "INC-2 (title withheld: TLP:RED)", "JSON keeps the English line"
    assert "payroll" not in json.dumps(english) + markdown_report(report, german)
