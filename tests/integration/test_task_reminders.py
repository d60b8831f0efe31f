"""Due tasks are reminded once to their owner, on the real scheduler and job store, on a fake
clock; open ones are listed in the final digest. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import job_times, run_due
from tests.integration.test_reminders import CONFIG, posts, service, started
from tests.integration.test_scheduler_restart import restarted
from warroom.bot.domain.events import RoomRef

MIN = timedelta(minutes=1)


@pytest.fixture
async def rbot(store_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, CONFIG)
    yield bot
    await bot.close()


def task_reminders(bot: TestBot) -> list[Sent]:
    return [s for s in posts(bot) if s.message and "is due" in s.message.title]


def reminded_entries(bot: TestBot) -> list[str]:
    with bot.db() as uow:
        return [e.text for e in uow.timeline.entries(1) if "was due" in e.text]


async def advance(bot: TestBot, delta: timedelta) -> None:
    bot.clock.advance(delta)
    await run_due(service(bot))


async def rooms_by_org(bot: TestBot) -> dict[str, str]:
    with bot.db() as uow:
        return {link.org: link.room_id for link in uow.rooms.for_incident(1)}


def home_room(bot: TestBot) -> RoomRef:
    """acme's war room (the first opened), to speak from there."""
    room = bot.adapter.of_kind("create_room")[0].room
    assert room is not None
    return room


async def test_a_due_task_is_reminded_once_to_its_owner_in_the_war_room(rbot: TestBot) -> None:
    room = await rbot.open('open "DB leak" --sev 4')  # status reminders a day away
    await rbot.send('task add "rotate the leaked key" --owner commander --due 30m')
    assert job_times(service(rbot))["tasks:1"] == rbot.clock.now() + 30 * MIN
    await advance(rbot, 29 * MIN)
    assert task_reminders(rbot) == []
    await advance(rbot, 1 * MIN)
    [sent] = task_reminders(rbot)
    assert sent.room == room
    assert sent.message is not None and [u.user_id for u in sent.message.mentions] == ["alice"]
    assert sent.message.title == "⏰ INC-1: task #1 is due"
    assert "alice, task #1 was due at 12:30 UTC: rotate the leaked key" in sent.text
    assert "`/incident task done 1`" in sent.text
    assert reminded_entries(rbot) == ["Task #1 was due; alice reminded"]
    assert "tasks:1" not in job_times(service(rbot))
    await advance(rbot, 60 * MIN)
    await service(rbot).replan(1)  # a check of its own finds nothing more to say
    assert len(task_reminders(rbot)) == 1


async def test_a_task_done_before_its_due_time_is_not_reminded(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("task add first --due 10m")
    await rbot.send("task add second --due 20m")
    await rbot.send("task done 1")
    # ticking a task off re-plans nothing: the job wakes at 10m, finds nothing, moves on
    assert job_times(service(rbot))["tasks:1"] == rbot.clock.now() + 10 * MIN
    await advance(rbot, 10 * MIN)
    assert job_times(service(rbot))["tasks:1"] == rbot.clock.now() + 10 * MIN
    await advance(rbot, 5 * MIN)
    assert task_reminders(rbot) == []
    await advance(rbot, 5 * MIN)
    [sent] = task_reminders(rbot)
    assert "task #2 was due" in sent.text
    await rbot.send("task reopen 1")  # long past due: reopened, it is reminded once now
    await run_due(service(rbot))
    assert ["#1" in s.text for s in task_reminders(rbot)] == [False, True]


def plan_version(bot: TestBot) -> int:
    with bot.db() as uow:
        state = uow.reminders.get(1)
        assert state is not None
        return state.plan_version


async def test_only_a_task_due_before_the_others_moves_the_plan(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("task add first --due 30m")
    await rbot.send("task add second --due 10m")  # falls due first: the job moves
    assert job_times(service(rbot))["tasks:1"] == rbot.clock.now() + 10 * MIN
    version = plan_version(rbot)
    await rbot.send("task add third --due 20m")  # after one that waits: nothing to redo
    await rbot.send("task add fourth --due 10m")
    await rbot.send("task assign 1 @bob")
    assert plan_version(rbot) == version
    assert job_times(service(rbot))["tasks:1"] == rbot.clock.now() + 10 * MIN
    await rbot.send("task due 3 5m")  # now before every other: the job moves
    assert plan_version(rbot) > version
    assert job_times(service(rbot))["tasks:1"] == rbot.clock.now() + 5 * MIN
    reminded = []
    for _ in range(6):  # each job that fires plans the next waiting task
        await advance(rbot, 5 * MIN)
        reminded.append(sorted(s.text.split("task #")[1][0] for s in task_reminders(rbot)))
    assert reminded == [
        ["3"],
        ["2", "3", "4"],
        ["2", "3", "4"],
        ["2", "3", "4"],
        ["2", "3", "4"],
        ["1", "2", "3", "4"],
    ]


async def test_re_arming_writes_the_job_store_off_the_event_loop(rbot: TestBot) -> None:
    """On SQLite a job-store write waits for the write lock: on the event loop, every answer
    would wait with it (while a long transaction holds the lock)."""
    writers: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith(("INSERT", "UPDATE", "DELETE")):
            writers.append(threading.current_thread().name)

    engine = service(rbot).timers.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        await rbot.open('open "DB leak" --sev 4')
        await rbot.send("task add first --due 30m")
        await rbot.send("task due 1 10m")
        await rbot.send('update --state resolved "fixed"')
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert writers, "the job store was written"
    assert threading.main_thread().name not in writers


async def test_a_new_due_time_earns_its_own_reminder(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("task add call the insurer --due 5m")
    await advance(rbot, 5 * MIN)
    await rbot.send("task due 1 1h")
    await advance(rbot, 59 * MIN)
    assert len(task_reminders(rbot)) == 1
    await advance(rbot, 1 * MIN)
    assert len(task_reminders(rbot)) == 2


async def test_a_restart_between_due_and_reminder_reminds_once(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await started(store_url, monkeypatch, CONFIG)
    await first.open('open "DB leak" --sev 4')
    await first.send("task add notify the regulator --owner commander --due 10m")
    await first.close()

    later = 25 * MIN
    for attempt in range(2):  # the second restart finds it reminded already
        bot = await restarted(store_url, monkeypatch, later)
        try:
            reminders = service(bot)
            await reminders.start()
            await asyncio.wait_for(reminders.leading.wait(), 10)
            await run_due(reminders)
            sent = task_reminders(bot)
            assert len(sent) == (1 if attempt == 0 else 0)
            assert len(reminded_entries(bot)) == 1
        finally:
            await bot.close()
        later += 5 * MIN


async def test_a_role_task_reminds_whoever_holds_the_role_when_it_falls_due(
    rbot: TestBot,
) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("task add brief the board --owner deputy --due 1h")
    await advance(rbot, 10 * MIN)
    await rbot.send("role deputy @bob")
    await rbot.send("role deputy @carol")
    await advance(rbot, 50 * MIN)
    [sent] = task_reminders(rbot)
    assert sent.message is not None and [u.user_id for u in sent.message.mentions] == ["carol"]
    assert "⏰ INC-1: task #1 is due\ncarol, task #1 was due at 13:00 UTC" in sent.text


async def test_an_unheld_role_is_named_and_nobody_is_mentioned(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("task add take notes --owner scribe --due 5m")
    await advance(rbot, 5 * MIN)
    [sent] = task_reminders(rbot)
    assert sent.message is not None and sent.message.mentions == ()
    assert "scribe (nobody holds the role), task #1 was due" in sent.text
    assert reminded_entries(rbot) == ["Task #1 was due; scribe (nobody holds the role) reminded"]


async def test_a_liaison_task_goes_to_that_orgs_room_only_where_it_may_be_seen(
    rbot: TestBot,
) -> None:
    await rbot.open('open "DB leak" --sev 4 --org cert')
    rooms = await rooms_by_org(rbot)
    rbot.room = home_room(rbot)
    await rbot.send("task add share the IOCs --owner cert --due 5m")
    await rbot.send('task add "TLP:AMBER+STRICT check our own backups" --owner cert --due 5m')
    await advance(rbot, 5 * MIN)
    [sent] = task_reminders(rbot)  # the AMBER+STRICT one is acme's alone: absent for cert
    assert sent.room is not None and sent.room.room_id == rooms["cert"]
    assert "liaison:cert (nobody holds the role), task #1 was due" in sent.text
    assert "backups" not in " ".join(s.text for s in posts(rbot, rooms["cert"]))
    assert len(reminded_entries(rbot)) == 2  # both on acme's timeline, each reminded once


async def test_tasks_still_open_at_resolve_are_listed_in_the_final_digest(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4 --org cert')
    rbot.room = home_room(rbot)
    await rbot.send("task add rotate the key --owner commander")
    await rbot.send("task add done already")
    await rbot.send('task add "TLP:RED keep this to ourselves"')
    await rbot.send("task done 2")
    await rbot.send("resolve fixed")
    [acme] = [s.message.body for s in posts(rbot, "digest-acme") if "still open" in s.text]
    # RED is never digested, not even at home; a done task is not open
    assert (
        acme.split("\n\n")[-1] == "**1 task still open:**\n☐ 1. rotate the key · commander (alice)"
    )
    [cert] = [s.message.body for s in posts(rbot, "digest-cert") if "still open" in s.text]
    assert cert.split("\n\n")[-1] == acme.split("\n\n")[-1]
