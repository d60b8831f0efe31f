"""A checklist refresh reads the incident as it is when it is delivered, so one transaction
queues one, and of several waiting for an incident one delivery does for all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import event
from sqlmodel import select

from tests.fakes.bot import TestBot
from warroom.storage.models import Outbox


class Refresh(NamedTuple):
    done_at: datetime | None
    failed_at: datetime | None


def refreshes(bot: TestBot) -> list[Refresh]:
    with bot.db() as uow:
        query = select(Outbox).where(Outbox.action == "sync_checklists")
        return [Refresh(r.done_at, r.failed_at) for r in uow.session.exec(query)]


@contextmanager
def reads_of_tasks(bot: TestBot) -> Iterator[list[str]]:
    """The statements that read tasks' lines (their text), while the block runs: one a
    refresh (its read of every task's marking, for the counts, is apart)."""
    reads: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if (
            statement.startswith("SELECT")
            and "FROM task \n" in statement
            and "task.text" in statement
        ):
            reads.append(statement)

    engines = {bot.app.store.engine, bot.app.outbox.reader.engine}  # deliveries read apart
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        yield reads
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)


def checklist_edits(bot: TestBot) -> list[str]:
    return [s.text for s in bot.adapter.of_kind("edit") if "checklist" in s.text]


async def test_a_playbook_of_many_tasks_queues_one_refresh(bot: TestBot) -> None:
    await bot.open('open "files encrypted" --playbook ransomware')
    queued = refreshes(bot)
    assert len(queued) == 1 and queued[0].done_at is not None
    posted = [s for s in bot.adapter.of_kind("post") if "checklist" in s.text]
    assert len(posted) == 1 and posted[0].message is not None
    assert len(posted[0].message.checklist) == 10  # the playbook's tasks for an open incident


async def test_refreshes_waiting_out_an_outage_are_delivered_as_one(bot: TestBot) -> None:
    await bot.open()
    await bot.send("task add isolate the host")
    bot.adapter.down = True
    await bot.send("task add rotate the keys")
    await bot.send("task add tell the regulator")
    await bot.send("task done 1")
    waiting = [r for r in refreshes(bot) if r.done_at is None]
    assert len(waiting) == 3
    bot.adapter.down = False
    bot.clock.advance(timedelta(minutes=10))
    with reads_of_tasks(bot) as reads:
        await bot.app.outbox.drain()
    assert len(reads) == 1, "one refresh read the tasks, for all three"
    edits = checklist_edits(bot)
    assert len(edits) == 1, edits
    assert "1 of 3 done" in edits[0] and "tell the regulator" in edits[0]
    assert all(r.done_at is not None and r.failed_at is None for r in refreshes(bot))


async def test_a_refresh_that_fails_keeps_those_it_stood_for(bot: TestBot) -> None:
    await bot.open()
    await bot.send("task add isolate the host")
    bot.adapter.down = True
    await bot.send("task add rotate the keys")
    await bot.send("task done 1")
    bot.clock.advance(timedelta(minutes=10))
    await bot.app.outbox.drain()  # still down: the delivery for both fails
    assert len([r for r in refreshes(bot) if r.done_at is None]) == 2
    bot.adapter.down = False
    bot.clock.advance(timedelta(hours=1))
    await bot.app.outbox.drain()
    edits = checklist_edits(bot)
    assert len(edits) == 1 and "1 of 2 done" in edits[0]
    assert all(r.done_at is not None for r in refreshes(bot))


async def test_a_long_checklist_keeps_the_task_ticked_last_in_view(bot: TestBot) -> None:
    await bot.open()
    for n in range(1, 53):
        await bot.send(f"task add step-{n}")
    await bot.send("task done 51")
    await bot.send("task done 52")
    bot.clock.advance(timedelta(minutes=5))
    await bot.send("task done 5")  # 49 open now, and one place left: the newest tick's
    await bot.app.outbox.drain()
    last = checklist_edits(bot)[-1]
    assert "step-5" in last and "step-52" not in last and "step-51" not in last
    assert "3 of 52 done" in last and "50 of 52 tasks shown, the open ones first" in last
