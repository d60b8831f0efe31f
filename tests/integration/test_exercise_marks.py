"""`EXERCISE` on everything the bot puts into an exercise's rooms, and on nothing of a real
incident's: the same script of commands, messages, reminders and reports runs on each, and
every post, edit, private answer, topic and new room in their war rooms is checked. One org
reads English, the other German. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import run_due
from tests.integration.test_exercises import DRILL
from tests.integration.test_reminders import service, started
from warroom.bot.config import Config, parse_config
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.exercise_mark import carries_mark, label, marked
from warroom.bot.domain.language import language
from warroom.bot.domain.messages import Message

MARKS = {"acme": label(language("en")), "cert": label(language("de"))}
OPEN = {
    "exercise": "exercise start drill --part victim=acme --part cert=cert",
    "real": 'open "Drill" --sev 2 --tlp amber --org cert',
}


def config(folder: Path) -> Config:
    (folder / "drill.toml").write_text(DRILL)
    return parse_config(
        {
            "exercises": {"dir": str(folder)},
            "orgs": [
                {"id": "acme", "platform": "console", "digest_room": "digest-acme"},
                {"id": "cert", "platform": "console", "digest_room": "dg-cert", "locale": "de"},
            ],
            "sharing": [{"orgs": ["acme", "cert"], "max_tlp": "AMBER"}],
        }
    )


async def step(bot: TestBot, delta: timedelta = timedelta(0)) -> None:
    bot.clock.advance(delta)
    await bot.app.core.settled()
    await run_due(service(bot))
    await bot.app.outbox.drain()


def war_rooms(bot: TestBot, key: str) -> dict[str, RoomRef]:
    found = {}
    for sent in bot.adapter.of_kind("create_room"):
        spec = sent.extra["spec"]
        if sent.room is not None and spec.incident_key == key:  # type: ignore[attr-defined]
            found[spec.org] = sent.room  # type: ignore[attr-defined]
    return found


async def begin(bot: TestBot, kind: str, key: str) -> dict[str, RoomRef]:
    bot.room = RoomRef("console", "W1", "lobby")
    await bot.send(OPEN[kind])
    await step(bot)
    rooms = war_rooms(bot, key)
    bot.room = rooms["acme"]
    return rooms


async def play(bot: TestBot, kind: str) -> None:
    """Every path that has the bot say something in a war room, on incident INC-1 and a
    second one that sees the same indicator (INC-2)."""
    rooms = await begin(bot, kind, "INC-1")
    cora = {"user": "cora", "org": "cert", "room": rooms["cert"]}
    for text in ("we see 45.77.12.9 beaconing", "TLP:RED only for us"):
        await bot.say(text)  # relayed (or withheld, told privately)
    await bot.say("cert here", **cora)  # type: ignore[arg-type]
    for command in (
        "role deputy @bob",
        "roles",
        "note a note",
        "update holding --state identified",
        "task add Isolate hosts --due 5m",
        "task add Call the press",
        "task done 2",
        "tasks",
        "playbook ransomware",
        "status",
        "timeline --last 3",
        "sev 1",
        "tlp green",
        "ioc add 45.77.12.9",
        "unknown-verb",
    ):
        await bot.send(command)
        await step(bot)
    if kind == "exercise":
        for command in ("exercise pause", "exercise resume", "exercise next"):
            await bot.send(command)
            await step(bot)
    await step(bot, timedelta(minutes=6))  # the task falls due
    await step(bot, timedelta(minutes=31))  # the status update is overdue
    await step(bot, timedelta(minutes=16))  # and escalated
    if kind == "exercise":
        await bot.send("exercise end")
        await bot.send("exercise answer 1 the deputy was quick")
    for command in (
        "resolve cleaned up",
        "review",
        "review good fast",
        "review improve slow to tell the CERT",
        "review done",
        "followup add Write the runbook --owner @alice --due 1d",
    ):
        await bot.send(command)
        await step(bot)
    await step(bot, timedelta(days=1, minutes=1))  # the follow-up is due
    await bot.send("close")
    await step(bot)
    await begin(bot, kind, "INC-2")
    await bot.say("45.77.12.9 again")  # seen in INC-1: a correlation notice
    await step(bot)


DIGESTS = {
    "acme": RoomRef("console", "console", "digest-acme"),
    "cert": RoomRef("console", "console", "dg-cert"),
}


def said_into(bot: TestBot, rooms: dict[str, RoomRef]) -> list[tuple[str, Sent]]:
    """What the bot put into these war rooms, with the org whose room it is."""
    org_of = {room: org for org, room in rooms.items()}
    return [(org_of[s.room], s) for s in bot.adapter.sent if s.room in org_of]


def carries(sent: Sent, mark: str) -> bool:
    if sent.kind == "topic":
        return str(sent.extra["topic"]).startswith(mark)
    if sent.kind == "create_room":
        return str(sent.extra["spec"].topic).startswith(mark)  # type: ignore[attr-defined]
    assert sent.message is not None
    return (sent.message.title or sent.message.body).startswith(mark)


WORDED = ("post", "edit", "notify", "topic", "create_room")


@pytest.fixture
async def bot(store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> TestBot:
    return await started(store_url, monkeypatch, config(tmp_path))


@pytest.mark.parametrize("kind", ["exercise", "real"])
async def test_every_bot_post_into_an_exercise_room_is_marked_and_none_of_a_real_one(
    bot: TestBot, kind: str
) -> None:
    try:
        await play(bot, kind)
        rooms = {**war_rooms(bot, "INC-1")}
        second = war_rooms(bot, "INC-2")
        # and what the digest rooms read of them: digests, escalations, due follow-ups
        said = said_into(bot, rooms) + said_into(bot, second) + said_into(bot, DIGESTS)
        worded = [(org, s) for org, s in said if s.kind in WORDED]
        texts = "\n".join(s.text for _, s in worded)
        # the script reached every path: they are all in what is checked
        for wanted in (
            "[ACME] alice: we see",  # relay copies
            "[CERT] cora: cert here",
            "not relayed to cert",  # the withheld notice (private)
            "unknown command",
            "applied the ransomware playbook",
            "checklist: 1 of 2 done",
            "task #1 is due",
            "status update overdue, escalated",
            "INC-1: Drill",  # the card
            "was seen in INC-1",  # the correlation notice
            "Post-incident review",
            "resolved: Drill",
            "INC-1 digest",
            "escalated",  # the digest room's notice
            "follow-up #1 is due",
            "INC-1 Lagebild",  # cert's digest, in German
        ):
            assert wanted in texts, wanted
        if kind == "exercise":
            assert "inject first" in texts and "hot wash: Drill" in texts
        assert {s.kind for _, s in worded} == set(WORDED)
        for org, sent in worded:
            if kind == "exercise":
                assert carries(sent, MARKS[org]), (org, sent)
            else:
                assert not any(carries(sent, mark) for mark in MARKS.values()), (org, sent)
    finally:
        await bot.close()


def test_the_mark_is_said_once_and_in_the_readers_language() -> None:
    de = language("de")
    once = marked(Message(title="Einspielung x"), de)
    assert once.title == "🎭 ÜBUNG · Einspielung x" and marked(once, de) == once
    assert marked(Message(body="acme/alice: hi"), de).body == "🎭 ÜBUNG · acme/alice: hi"
    assert marked(Message(), language("en")).title == "🎭 EXERCISE"
    assert carries_mark(marked(Message(body="x"), de).body) and not carries_mark("x")
    # said in German, posted where English is read: marked once, not twice
    assert marked(once, language("en")) == once
