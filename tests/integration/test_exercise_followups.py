"""`exercise followups`: each improvement item of an ended exercise becomes a follow-up of
its organisation's liaison, once (asked again, replayed or after a restart: nothing
doubles), numbered and on the timeline like any follow-up, under the item's TLP. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.bot import TestBot
from tests.integration.test_exercises import MIN, advance, begin, config, rooms
from tests.integration.test_reminders import started
from warroom.bot.operations import stats
from warroom.bot.operations.export import incident_export
from warroom.bot.operations.stats_counts import COUNTS

CORA = {"user": "cora", "org": "cert"}
MISSED = ["deputy", "contain", "isolate", "block", "tell-cert", "embargo"]


@pytest.fixture
async def xbot(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, config(tmp_path))
    yield bot
    await bot.close()


def followups(bot: TestBot) -> list[tuple[int, str, str, str, str, str]]:
    with bot.db() as uow:
        return [
            (f.number, f.text, f.owner_user_id, f.owner_org, f.said_org, f.tlp)
            for f in uow.followups.for_incident(1)
        ]


def entries(bot: TestBot) -> list[str]:
    with bot.db() as uow:
        return [e.text for e in uow.timeline.entries(1)]


async def ended(bot: TestBot) -> None:
    """The drill ended with every expectation missed, and each org with a liaison."""
    await begin(bot)
    await bot.say("cora here", room=rooms(bot)["cert"], **CORA)  # type: ignore[arg-type]
    await advance(bot, 10 * MIN)
    await bot.send("exercise end")
    await bot.send("role liaison @bob")
    await bot.send("role liaison @cora@cert")


async def test_each_missed_expectation_becomes_a_followup_of_its_orgs_liaison_once(
    xbot: TestBot,
) -> None:
    await ended(xbot)
    [answer] = await xbot.send("exercise followups", event_id="f1")
    assert answer.kind == "post" and "Improvement items made follow-ups" in answer.text
    found = followups(xbot)
    assert [n for n, *_ in found] == [1, 2, 3, 4, 5, 6]
    assert [(text, owner, org) for _, text, owner, org, _, _ in found] == [
        ("A deputy is named", "bob", "acme"),
        ("The incident is contained", "bob", "acme"),
        ("The hosts are isolated", "bob", "acme"),
        ("The victim says it blocks the range", "bob", "acme"),
        ("The victim tells the CERT", "bob", "acme"),
        ("An embargo is agreed", "cora", "cert"),
    ]
    assert {(said, tlp) for *_, said, tlp in found} == {("acme", "AMBER"), ("cert", "AMBER")}
    assert "Follow-up #6 added (owner @cora (liaison:cert)): An embargo is agreed" in entries(xbot)
    before = entries(xbot)
    await xbot.send("exercise followups", event_id="f1")  # a replayed event
    [again] = await xbot.send("exercise followups")
    assert "No improvement item is waiting" in again.text
    assert len(followups(xbot)) == 6 and entries(xbot) == before
    with xbot.db() as uow:
        export = incident_export(uow, "INC-1", config=xbot.config, as_org="cert")
        figures = stats.indicators(uow, xbot.config, now=xbot.clock.now())
    assert [f["text"] for f in export["followups"]] == [f[1] for f in found]
    # an exercise's follow-ups count with the exercises, never in the real indicators
    assert figures.real.count == 0 and figures.real.rows == []
    [drill] = figures.exercises.rows
    assert drill.counts[[c.key for c in COUNTS].index("followups_open")] == 6


async def test_a_lesson_to_improve_becomes_one_too_under_its_tlp_and_only_its_org_sees_it(
    xbot: TestBot,
) -> None:
    await ended(xbot)
    await xbot.send("exercise followups")
    await xbot.send("resolve drill over")
    await xbot.send("review")
    cert_room = rooms(xbot)["cert"]
    lesson = "review improve TLP:AMBER+STRICT we told nobody in time"
    await xbot.send(lesson, room=cert_room, **CORA)  # type: ignore[arg-type]
    [answer] = await xbot.send("exercise followups")  # alice, in acme's room
    assert "No improvement item is waiting" in answer.text and "told nobody" not in answer.text
    number, text, owner, org, said, tlp = followups(xbot)[-1]
    assert (number, owner, org, said, tlp) == (7, "cora", "cert", "cert", "AMBER+STRICT")
    assert text == "TLP:AMBER+STRICT we told nobody in time"
    with xbot.db() as uow:
        mine = incident_export(uow, "INC-1", config=xbot.config, as_org="acme")
        theirs = incident_export(uow, "INC-1", config=xbot.config, as_org="cert")
    assert len(mine["followups"]) == 6 and len(theirs["followups"]) == 7


async def test_a_restart_doubles_no_followup(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drill = config(tmp_path)
    first = await started(store_url, monkeypatch, drill)
    try:
        await ended(first)
        await first.send("exercise followups")
    finally:
        await first.close()
    bot = await started(store_url, monkeypatch, drill)
    try:
        bot.room = rooms(first)["acme"]
        [answer] = await bot.send("exercise followups", event_id="after-restart")
        assert "No improvement item is waiting" in answer.text
        assert len(followups(bot)) == 6
    finally:
        await bot.close()


@pytest.mark.parametrize(
    ("before", "reason"),
    [
        ([], "is still running: `exercise end` first"),
        (["exercise end"], "nobody is liaison of acme, cert in INC-1: `role liaison @user` first"),
    ],
)
async def test_followups_before_the_end_or_without_a_liaison_are_refused(
    xbot: TestBot, before: list[str], reason: str
) -> None:
    await begin(xbot)
    for command in before:
        await xbot.send(command)
    [answer] = await xbot.send("exercise followups")
    assert reason in answer.text and answer.kind == "notify"
    assert followups(xbot) == []
