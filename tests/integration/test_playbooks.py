"""Playbooks and checklists across organisations, through the real wiring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from warroom.bot.config import Config, OrgConfig, PlaybooksConfig
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.sharing import Agreement
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export, markdown_report

PLAYBOOK = """
name = "cert-drill"
title = "Drill with the CERT"
description = "a playbook that brings in the CERT"
severity = 2
tlp = "amber"
keywords = ["drill"]
orgs = ["cert"]

[[tasks]]
text = "Tell the CERT what we see"
owner = "liaison:cert"
due = "2h"

[[tasks]]
text = "TLP:AMBER+STRICT check our own payroll system"
owner = "tech-lead"

[[tasks]]
text = "Confirm the root cause"
owner = "cert"
after = "identified"

[[tasks]]
text = "Thank everyone"
after = "resolved"
"""


def config(folder: Path) -> Config:
    (folder / "drill.toml").write_text(PLAYBOOK, encoding="utf-8")
    return Config(
        orgs=(
            OrgConfig(id="acme", platform="fake", workspace="acme"),
            OrgConfig(
                id="cert",
                platform="fake",
                workspace="cert",
                liaison="cora",
                locale="de",
                timezone="Europe/Berlin",
            ),
            OrgConfig(id="cloud", platform="fake", workspace="cloud", liaison="carl"),
        ),
        sharing=(
            Agreement(("acme", "cert"), Tlp.AMBER),
            Agreement(("acme", "cloud"), Tlp.GREEN),
        ),
        playbooks=PlaybooksConfig(dir=str(folder)),
    )


@pytest.fixture
async def bot(store_url: str, tmp_path: Path) -> AsyncIterator[TestBot]:
    test_bot = TestBot(store_url, config=config(tmp_path))
    yield test_bot
    await test_bot.close()


def room_of(bot: TestBot, org: str) -> RoomRef:
    for sent in bot.adapter.of_kind("create_room"):
        if sent.extra["spec"].org == org:  # type: ignore[attr-defined]
            assert sent.room is not None
            return sent.room
    raise AssertionError(f"no room for {org}")


def checklist_in(bot: TestBot, room: RoomRef) -> Sent | None:
    """The latest version of the checklist in `room`."""
    found = [
        s
        for s in bot.adapter.sent
        if s.room == room and s.kind in ("post", "edit") and "checklist" in s.text.lower()
    ]
    return found[-1] if found else None


def export(bot: TestBot, as_org: str | None = None) -> dict[str, Any]:
    return bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=bot.config, as_org=as_org)
    )


async def test_open_with_a_playbook_brings_in_its_org_and_each_room_sees_what_it_may(
    bot: TestBot,
) -> None:
    await bot.open('open "suspicious logins" --playbook cert-drill')
    acme, cert = room_of(bot, "acme"), room_of(bot, "cert")
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.severity == 2 and incident.tlp == "AMBER"
        assert incident.id is not None and uow.incidents.orgs(incident.id) == ["acme", "cert"]
    mine = checklist_in(bot, acme)
    assert mine is not None and "INC-1 checklist: 0 of 2 done" in mine.text
    assert (
        "payroll" in mine.text
        and "1. Tell the CERT what we see · liaison:cert (cora)" in mine.text
    )
    theirs = checklist_in(bot, cert)
    assert theirs is not None and "payroll" not in theirs.text and "von 1 erledigt" in theirs.text
    assert theirs.message is not None and [i.number for i in theirs.message.checklist] == [1]
    assert "fällig 1. Jan. 2026, 15:00 MEZ" in theirs.text, "in its language and time zone"
    pins = {s.room for s in bot.adapter.of_kind("pin")}
    assert {acme, cert} <= pins


async def test_the_cert_may_tick_its_task_but_not_one_it_may_not_see(bot: TestBot) -> None:
    await bot.open('open "suspicious logins" --playbook cert-drill')
    cert = room_of(bot, "cert")
    answer = await bot.send("task done 2", user="cora", org="cert", room=cert)
    assert "in INC-1 gibt es keine Aufgabe #2" in answer[-1].text, "said in cert's German"
    await bot.send("task done 1 told them", user="cora", org="cert", room=cert)
    theirs = checklist_in(bot, cert)
    assert theirs is not None and "1 von 1 erledigt" in theirs.text
    listed = (await bot.send("tasks", user="cora", org="cert", room=cert))[-1].text
    assert "payroll" not in listed and "☑ 1. Tell the CERT" in listed


async def test_a_state_change_adds_its_after_tasks_once(bot: TestBot) -> None:
    await bot.open('open "suspicious logins" --playbook cert-drill')
    await bot.send("update --state contained we blocked it")  # past identified too
    await bot.send("update --state monitoring watching")
    await bot.send("playbook cert-drill")
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        tasks = [
            (t.number, t.text, t.owner_scope_org) for t in uow.tasks.for_incident(incident.id)
        ]
    assert tasks[2:] == [(3, "Confirm the root cause", "cert")]
    await bot.send("resolve done")
    data = export(bot)
    assert [t["text"] for t in data["tasks"]][-1] == "Thank everyone"
    assert data["tasks"][-1]["playbook"] == "cert-drill"


async def test_a_keyword_suggests_a_playbook_privately(bot: TestBot) -> None:
    sent = await bot.send('open "ransomware note on the file server"')
    told = [s for s in sent if s.kind == "notify"][-1]
    assert "The ransomware playbook may fit" in told.text
    assert "`playbook ransomware`" in told.text
    assert not [s for s in sent if s.kind == "post" and "playbook" in s.text]


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("open x --playbook nope", "unknown playbook 'nope'"),
        ("playbook nope", "unknown playbook 'nope'"),
    ],
)
async def test_an_unknown_playbook_changes_nothing(
    bot: TestBot, command: str, reason: str
) -> None:
    if command.startswith("playbook"):
        await bot.open()
    with bot.db() as uow:
        before = [(i.key, i.timeline_seq) for i in uow.incidents.all()]
    answer = await bot.send(command)
    assert [s.kind for s in answer] == ["notify"] and reason in answer[0].text
    with bot.db() as uow:
        assert [(i.key, i.timeline_seq) for i in uow.incidents.all()] == before


async def test_a_broken_playbook_file_is_named_and_changes_nothing(
    bot: TestBot, tmp_path: Path
) -> None:
    await bot.open()
    broken = 'name = "broken"\ntitle = 3\n[[tasks]]\ntext = "x"\n'
    (tmp_path / "broken.toml").write_text(broken, encoding="utf-8")
    answer = await bot.send("playbook cert-drill")
    assert "broken.toml: title: must be a string" in answer[-1].text
    assert "playbook" not in export(bot)["timeline"][-1]["kind"]


async def test_an_owner_the_incident_lacks_refuses_the_playbook(
    bot: TestBot, tmp_path: Path
) -> None:
    (tmp_path / "cloudy.toml").write_text(
        'name = "cloudy"\ntitle = "Cloudy"\n[[tasks]]\ntext = "ask"\nowner = "cloud"\n',
        encoding="utf-8",
    )
    await bot.open()
    answer = await bot.send("playbook cloudy")
    assert "the cloudy playbook gives a task to cloud, not in this incident" in answer[-1].text
    assert export(bot)["tasks"] == []


async def test_playbooks_lists_shipped_and_configured_ones(bot: TestBot) -> None:
    listed = (await bot.send("playbooks"))[-1].text
    for name in (
        "ransomware",
        "leaked-credentials",
        "vulnerability-disclosure",
        "ddos",
        "personal-data-breach",
        "cert-drill",
    ):
        assert f"{name}: " in listed


async def test_exports_show_each_org_its_tasks_and_count_only_those(bot: TestBot) -> None:
    await bot.open('open "suspicious logins" --playbook cert-drill')
    await bot.send("task done 2")
    bot.clock.advance(timedelta(hours=3))
    full, cert = export(bot), export(bot, "cert")
    assert [t["number"] for t in full["tasks"]] == [1, 2]
    assert [t["number"] for t in cert["tasks"]] == [1]
    assert cert["tasks"][0]["owner"]["label"] == "liaison:cert"
    assert cert["tasks"][0]["owner"]["user_id"] == "cora"
    assert full["metrics"]["tasks_total"] == 2 and full["metrics"]["tasks_done"] == 1
    assert cert["metrics"]["tasks_total"] == 1 and cert["metrics"]["tasks_done"] == 0
    assert "payroll" not in str(cert) and "payroll" not in markdown_report(cert)
    report = markdown_report(full)
    assert "## Checklist" in report and "- [x] 2. TLP:AMBER+STRICT check our own payroll" in report
