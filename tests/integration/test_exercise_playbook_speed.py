"""An exercise's `--speed` runs its playbook as fast as its injects: the tasks' due times
(those added at the start and those a later state brings) and so their reminders come N
times sooner, on the controllable clock; a real incident's playbook keeps its own times.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.fakes.bot import TestBot
from tests.integration.test_exercises import DRILL, advance, begin, config, rooms
from tests.integration.test_reminders import started

START = "exercise start drill --part victim=acme --part cert=cert"


@pytest.fixture
async def xbot(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[TestBot]:
    drill = config(tmp_path)
    (tmp_path / "drill.toml").write_text('playbook = "ransomware"\n' + DRILL)
    bot = await started(store_url, monkeypatch, drill)
    yield bot
    await bot.close()


def due_in(bot: TestBot, text: str) -> timedelta | None:
    """How long after the opening the task starting with `text` falls due."""
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        opened: datetime = incident.opened_at
        [task] = [t for t in uow.tasks.for_incident(incident.id) if t.text.startswith(text)]
        return task.due_at - opened if task.due_at else None


def reminded(bot: TestBot) -> list[str]:
    room = rooms(bot)["acme"]
    return [
        s.message.title
        for s in bot.adapter.of_kind("post")
        if s.room == room and s.message and "is due" in s.message.title
    ]


@pytest.mark.parametrize("speed", [1, 60])
async def test_a_playbooks_due_times_run_at_the_exercises_speed(xbot: TestBot, speed: int) -> None:
    await begin(xbot, START + f" --speed {speed}")
    assert due_in(xbot, "Isolate") == timedelta(minutes=30) / speed  # `due = "30m"`
    assert due_in(xbot, "NIS2 early warning") == timedelta(hours=24) / speed
    await advance(xbot, timedelta(minutes=30) / speed - timedelta(seconds=0.5))
    assert not any("task #1 is due" in t for t in reminded(xbot))
    await advance(xbot, timedelta(seconds=1))
    assert any("task #1 is due" in t for t in reminded(xbot))


async def test_the_tasks_a_later_state_brings_run_at_its_speed_too(xbot: TestBot) -> None:
    await begin(xbot, START + " --speed 60")
    await advance(xbot, timedelta(seconds=10))
    await xbot.send("update found it --state identified")
    with xbot.db() as uow:
        [task] = [t for t in uow.tasks.for_incident(1) if t.text.startswith("Identify")]
        assert task.due_at is not None
        assert task.due_at - xbot.clock.now() == timedelta(days=1) / 60


async def test_a_real_incidents_playbook_keeps_its_times(xbot: TestBot) -> None:
    await xbot.send('open "Locked files" --playbook ransomware')
    assert due_in(xbot, "Isolate") == timedelta(minutes=30)
