"""Tasks in a war room, through the real wiring, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes.bot import TestBot
from warroom.bot.domain.events import RoomRef
from warroom.bot.operations.audit import verify
from warroom.storage.store import UnitOfWork


def state(bot: TestBot) -> tuple[list[tuple[int, str, str | None]], int]:
    """The tasks (number, text, done) and the timeline's length: what a refusal leaves."""
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        found = [
            (t.number, t.text, t.done_at.isoformat() if t.done_at else None)
            for t in uow.tasks.for_incident(incident.id)
        ]
        return found, incident.timeline_seq


def task_entries(uow: UnitOfWork) -> list[str]:
    incident = uow.incidents.by_key("INC-1")
    assert incident is not None and incident.id is not None
    return [e.text for e in uow.timeline.of_kind(incident.id, "task")]


async def test_tasks_are_numbered_within_their_incident_and_each_change_is_on_the_chain(
    bot: TestBot,
) -> None:
    await bot.open()
    await bot.send('task add "rotate the leaked key" --owner commander --due 2h')
    await bot.send("task add check the logs")
    await bot.send("task done 1 rotated at 12:05")
    await bot.send("task reopen 1")
    await bot.send("task assign 2 @bob")
    await bot.send("task due 2 30m")
    with bot.db() as uow:
        assert task_entries(uow) == [
            "Task #1 added (owner commander, due Jan 1, 2026, 14:00 UTC): rotate the leaked key",
            "Task #2 added: check the logs",
            "Task #1 done: rotated at 12:05",
            "Task #1 reopened",
            "Task #2 assigned to @bob (was nobody)",
            "Task #2 due Jan 1, 2026, 12:30 UTC (was no due time)",
        ]
        assert verify(uow, "INC-1")[1] == []
    second = RoomRef("fake", "W1", "lobby")
    await bot.send('open "another one"', room=second)
    bot.room = bot.adapter.of_kind("create_room")[-1].room  # type: ignore[assignment]
    await bot.send("task add its own first task")
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-2")
        assert incident is not None and incident.id is not None
        assert [t.number for t in uow.tasks.for_incident(incident.id)] == [1]


async def test_tasks_lists_what_is_open_and_what_is_mine(bot: TestBot) -> None:
    await bot.open()
    await bot.send("task add mine by role --owner commander")
    await bot.send("task add mine by name --owner @alice")
    await bot.send("task add someone else's --owner @bob")
    await bot.send("task add done already")
    await bot.send("task done 4")
    opened = (await bot.send("tasks --open"))[-1].text
    assert "4. done already" not in opened and "3. someone else's" in opened
    mine = (await bot.send("tasks --mine"))[-1].text
    assert "1. mine by role · commander (alice)" in mine
    assert "2. mine by name · @alice" in mine
    assert "someone else's" not in mine and "done already" not in mine


async def test_a_role_owned_task_follows_the_role_after_a_handover(bot: TestBot) -> None:
    await bot.open()
    await bot.send("task add brief the board --owner commander")
    await bot.send("role commander @bob")
    assert "brief the board" in (await bot.send("tasks --mine", user="bob"))[-1].text
    assert "brief the board" not in (await bot.send("tasks --mine"))[-1].text
    checklist = bot.adapter.of_kind("edit")[-1].text
    assert "1. brief the board · commander (bob)" in checklist
    await bot.send("role deputy @bob", user="bob")
    await bot.send("role commander @carol", user="bob")  # bob keeps only the deputy role
    assert "commander (carol)" in (await bot.send("tasks", user="carol"))[-1].text
    await bot.send("role deputy @dave", user="carol")
    refused = await bot.send("task due 1 2h", user="bob")  # neither lead nor owner now
    assert (
        "not allowed: only the commander, the deputy or the owner of task #1" in refused[-1].text
    )
    await bot.send("task due 1 1h", user="carol")  # the new owner may
    with bot.db() as uow:
        assert task_entries(uow)[-1].startswith("Task #1 due Jan 1, 2026, 13:00 UTC")


async def test_participants_add_and_tick_but_only_leads_and_owners_assign(bot: TestBot) -> None:
    await bot.open()
    await bot.send("invite @carol")
    await bot.send("task add write the summary --owner @dave")
    await bot.send("task done 1", user="carol")
    await bot.send("task reopen 1", user="carol")
    for command in ("task assign 1 @carol", "task due 1 1h"):
        refused = (await bot.send(command, user="carol"))[-1]
        assert refused.kind == "notify" and "not allowed" in refused.text
    await bot.send("task assign 1 @erin", user="dave")  # the owner hands it on
    outsider = await bot.send("task add sneak in", user="mallory", room=RoomRef("fake", "W1", "x"))
    assert "not a war room" in outsider[-1].text
    with bot.db() as uow:
        assert task_entries(uow)[-1] == "Task #1 assigned to @erin (was @dave)"


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("task add", "TEXT is missing"),
        ("task add x --owner nobody", "unknown owner 'nobody'"),
        ("task add x --owner liaison", "write liaison:ORG"),
        ("task add x --owner liaison:cert", "cert does not take part"),
        ("task add x --owner cert", "unknown owner 'cert'"),
        ("task add x --due soon", "'soon' is not a duration"),
        ("task add x --due 0m", "'0m' is not a duration"),
        ("task done 7", "there is no task #7 in INC-1"),
        ("task done seven", "N must be the task's number, like 3, not 'seven'"),
        ("task done", "N must be the task's number"),
        ("task done 1", "task #1 is done already"),
        ("task reopen 2", "task #2 is not done"),
        ("task reopen 1 now", "unexpected 'now'"),
        ("task assign 1", "give one owner"),
        ("task assign 2 commander", "task #2 belongs to commander already"),
        ("task due 2", "D is missing"),
        ("task due 2 tomorrow", "'tomorrow' is not a duration"),
        ("task due 1 1h", "task #1 is done already"),
        ("task done 1 --owner deputy", "--owner and --due go with `task add`"),
        ("task finish 1", "unknown task action 'finish'"),
    ],
)
async def test_bad_input_gets_one_line_and_changes_nothing(
    bot: TestBot, command: str, reason: str
) -> None:
    await bot.open()
    await bot.send("task add first")
    await bot.send("task done 1")
    await bot.send("task add second --owner commander")
    before = state(bot)
    answer = await bot.send(command)
    assert [s.kind for s in answer] == ["notify"]
    message = answer[0].message
    assert message is not None and "\n" not in message.body
    assert reason in message.body, message.body
    assert message.footer.startswith("usage: task ")
    assert state(bot) == before


async def test_a_replayed_command_adds_nothing_twice(bot: TestBot) -> None:
    await bot.open()
    await bot.send("task add once", event_id="same")
    await bot.send("task add once", event_id="same")
    await bot.send("task done 1", event_id="tick")
    await bot.send("task done 1", event_id="tick")
    tasks, _ = state(bot)
    assert [(n, t) for n, t, _ in tasks] == [(1, "once")]
    with bot.db() as uow:
        assert task_entries(uow) == ["Task #1 added: once", "Task #1 done"]


async def test_the_checklist_is_posted_and_pinned_at_the_first_task_then_edited_in_place(
    bot: TestBot,
) -> None:
    await bot.open()
    assert not [s for s in bot.adapter.sent if "checklist" in s.text]
    await bot.send("task add isolate the host --due 1h")
    posted = [s for s in bot.adapter.of_kind("post") if "checklist" in s.text]
    assert len(posted) == 1
    message_id = posted[0].extra["message_id"]
    assert any(p.extra["message_id"] == message_id for p in bot.adapter.of_kind("pin"))
    assert posted[0].message is not None
    assert [(i.number, i.done) for i in posted[0].message.checklist] == [(1, False)]
    await bot.send("task done 1")
    edits = [s for s in bot.adapter.of_kind("edit") if s.extra["message_id"] == message_id]
    assert edits and "INC-1 checklist: 1 of 1 done" in edits[-1].text
    assert "☑ 1. isolate the host · done by alice" in edits[-1].text
    bot.clock.advance(timedelta(minutes=5))
    await bot.send("note nothing about tasks")
    assert len([s for s in bot.adapter.sent if "checklist" in s.text]) == 2, (
        "no edit without a change"
    )


async def test_a_checklist_edit_waits_out_an_outage(bot: TestBot) -> None:
    await bot.open()
    await bot.send("task add first")
    bot.adapter.down = True
    await bot.send("task done 1")
    bot.adapter.down = False
    bot.clock.advance(timedelta(minutes=10))
    await bot.app.outbox.drain()
    edits = [s for s in bot.adapter.of_kind("edit") if "checklist" in s.text]
    assert edits and "1 of 1 done" in edits[-1].text
