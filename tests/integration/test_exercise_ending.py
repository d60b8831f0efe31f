"""An exercise ends by itself when its last window closes: the hot wash reaches every war
room once, however often the job fires after, and across a restart; `exercise end` then
says it has ended and changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.bot import TestBot
from tests.fakes.scheduler import run_due
from tests.integration.test_exercises import MIN, advance, begin, config, everything_in
from tests.integration.test_reminders import service, started
from tests.integration.test_scheduler_restart import restarted


def hot_washes(bot: TestBot, org: str) -> int:
    return sum(1 for s in everything_in(bot, org) if s.message and "hot wash" in s.message.title)


async def test_the_last_window_closing_ends_it_with_one_hot_wash_even_after_a_restart(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drill = config(tmp_path)
    bot = await started(store_url, monkeypatch, drill)
    try:
        await begin(bot)
        await advance(bot, 39 * MIN)
        assert hot_washes(bot, "acme") == 0  # the embargo's window is open until 40m
        await advance(bot, 1 * MIN)
        assert (hot_washes(bot, "acme"), hot_washes(bot, "cert")) == (1, 1)
        with bot.db() as uow:
            run = uow.exercises.get(1)
            assert run is not None and run.ended_at == bot.clock.now()
            assert run.next_at is None
            ended = [e.text for e in uow.timeline.entries(1) if "every window" in e.text]
        assert ended == ["Exercise drill over: every window has closed"]
        await advance(bot, 60 * MIN)
        await run_due(service(bot))
        assert hot_washes(bot, "acme") == 1
        [answer] = await bot.send("exercise end")
        assert "has ended" in answer.text and answer.kind == "notify"
    finally:
        await bot.close()
    again = await restarted(store_url, monkeypatch, 120 * MIN, drill)  # after the first
    try:
        assert again.app.reminders is not None
        await again.app.reminders.start()
        await again.app.reminders.leading.wait()
        await run_due(service(again))
        assert not any("hot wash" in s.text for s in again.adapter.of_kind("post"))
        with again.db() as uow:
            washes = [e for e in uow.timeline.entries(1) if e.text.startswith("Hot wash")]
        assert len(washes) == 1
    finally:
        await again.close()
