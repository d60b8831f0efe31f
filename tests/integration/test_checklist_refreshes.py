"""A checklist refresh reads the incident as it is when it is delivered, so one transaction
queues one, and of several waiting for an incident one delivery does for all."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.fakes.bot import TestBot
from warroom.bot.domain.events import MessageRef
from warroom.bot.domain.messages import Message
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


async def test_tasks_added_while_a_refresh_waits_are_shown_by_it(
    bot: TestBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.app.outbox.deliver_on_commit()  # as a serving process does
    await bot.open()
    await bot.send("task add isolate the host")
    await bot.app.outbox.settled()
    delivering = asyncio.Event()
    gate = asyncio.Event()
    edit = bot.adapter.edit

    async def held(ref: MessageRef, message: Message) -> None:
        delivering.set()
        await gate.wait()
        await edit(ref, message)

    monkeypatch.setattr(bot.adapter, "edit", held)
    # each command is sent once the one before has committed; what they deliver after
    # their answers waits for the refresh that is held
    sending = [asyncio.create_task(bot.send("task add rotate the keys"))]
    await asyncio.wait_for(delivering.wait(), 5)  # its refresh is on its way, held there
    for number, text in enumerate(["task add tell the regulator", "task add call the insurer"]):
        sending.append(asyncio.create_task(bot.send(text)))
        await asyncio.wait_for(tasks_stored(bot, 3 + number), 5)
    sending.append(asyncio.create_task(bot.send("task done 1")))
    await asyncio.wait_for(ticked(bot, 1), 5)
    # On SQLite these run on the event loop, where a refresh waiting to be delivered is
    # known to come after them: it shows them, and none more is queued. Elsewhere each
    # queues its own, and the one delivery covers them all the same.
    on_loop = bot.app.store.url.startswith("sqlite")
    assert len(refreshes(bot)) == (3 if on_loop else 5)
    gate.set()
    await asyncio.gather(*sending)
    await bot.app.outbox.settled()
    edits = checklist_edits(bot)
    assert len(edits) == 2, edits
    assert "1 of 4 done" in edits[-1] and "call the insurer" in edits[-1]
    assert all(r.done_at is not None and r.failed_at is None for r in refreshes(bot))


async def tasks_stored(bot: TestBot, count: int) -> None:
    while True:
        with bot.db() as uow:
            if uow.tasks.count(1) >= count:
                return
        await asyncio.sleep(0.01)


async def ticked(bot: TestBot, number: int) -> None:
    while True:
        with bot.db() as uow:
            task = uow.tasks.get(1, number)
            if task is not None and task.done_at is not None:
                return
        await asyncio.sleep(0.01)
