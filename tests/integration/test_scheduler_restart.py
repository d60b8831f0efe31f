"""The job store survives a restart; what fell due meanwhile fires once; bad jobs are skipped."""

from __future__ import annotations

import logging
import pickle
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.bot import TestBot
from tests.fakes.scheduler import job_times, on_clock, run_due
from tests.integration.test_reminders import CONFIG, kinds, reminders_sent, service, started
from warroom.bot.config import Config, parse_config

MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)


async def restarted(
    store_url: str, monkeypatch: pytest.MonkeyPatch, later: timedelta, config: Config = CONFIG
) -> TestBot:
    """A new process on the same database, started `later` than the first one's clock."""
    bot = TestBot(store_url, config=config, platform="console")
    bot.clock.advance(later)
    on_clock(monkeypatch, bot.clock)
    return bot


async def test_restart_past_due_sends_one_reminder_then_one_escalation(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await started(store_url, monkeypatch, CONFIG)
    await first.open('open "DB leak" --sev 1')
    opened = first.clock.now()
    assert job_times(service(first))["remind:1"] == opened + 30 * MIN
    await first.close()

    bot = await restarted(store_url, monkeypatch, 2 * 60 * MIN + 5 * MIN)  # four slots missed
    try:
        await bot.app.reminders.start()  # type: ignore[union-attr]
        await bot.app.reminders.leading.wait()  # type: ignore[union-attr]
        await run_due(service(bot))
        [sent] = reminders_sent(bot)
        assert "for 2 hours 5 minutes" in sent.text
        assert len(kinds(bot, "reminder")) == 1
        # half a cadence after the (late) reminder went out, not after its slot
        assert job_times(service(bot))["remind:1"] == opened + 2 * 60 * MIN + 20 * MIN

        bot.clock.advance(14 * MIN)
        await run_due(service(bot))
        assert kinds(bot, "escalation") == []
        bot.clock.advance(1 * MIN)
        await run_due(service(bot))
        assert len(kinds(bot, "escalation")) == 1
        # the late reminder restarted the clock: the next is a cadence after it (2h35),
        # not at the old grid's slot (2h30)
        assert job_times(service(bot))["remind:1"] == opened + 2 * 60 * MIN + 35 * MIN
        bot.clock.advance(14 * MIN)
        await run_due(service(bot))
        assert len(kinds(bot, "escalation")) == 1
        assert len(kinds(bot, "reminder")) == 1
        bot.clock.advance(1 * MIN)
        await run_due(service(bot))
        assert len(kinds(bot, "reminder")) == 2
        assert "for 2 hours 35 minutes" in reminders_sent(bot)[-1].text
    finally:
        await bot.close()


async def test_the_reminder_sent_after_downtime_restarts_the_clock(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = parse_config(
        {
            "reminders": {"sev1": "4s"},
            "orgs": [{"id": "acme", "platform": "console", "digest_room": "digest-acme"}],
        }
    )
    first = await started(store_url, monkeypatch, fast)
    await first.open('open "DB leak" --sev 1')
    opened = first.clock.now()
    await first.close()  # down from 1s to 10s: slots at 4s and 8s missed

    bot = await restarted(store_url, monkeypatch, 10 * SEC, fast)
    try:
        await bot.app.reminders.start()  # type: ignore[union-attr]
        await bot.app.reminders.leading.wait()  # type: ignore[union-attr]
        await run_due(service(bot))
        for _ in range(10):
            bot.clock.advance(SEC)
            await run_due(service(bot))
        with bot.db() as uow:
            said = [
                (e.kind, int((e.at - opened).total_seconds()))
                for e in uow.timeline.entries(1)
                if e.kind in ("reminder", "escalation")
            ]
        # One reminder on start, then the clock runs from it: its escalation half a cadence
        # later, the next reminder a full cadence later (not at 12s, the old grid's slot).
        assert said == [
            ("reminder", 10),
            ("escalation", 12),
            ("reminder", 14),
            ("escalation", 16),
            ("reminder", 18),
            ("escalation", 20),
        ]
    finally:
        await bot.close()


async def test_reminders_planned_while_no_scheduler_ran_are_picked_up(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    standby = TestBot(store_url, config=CONFIG, platform="console")  # never leads
    await standby.open('open "DB leak" --sev 1')
    await standby.close()
    bot = await restarted(store_url, monkeypatch, 31 * MIN)
    try:
        await bot.app.reminders.start()  # type: ignore[union-attr]
        await bot.app.reminders.leading.wait()  # type: ignore[union-attr]
        await run_due(service(bot))
        assert len(reminders_sent(bot)) == 1
        assert set(job_times(service(bot))) == {"remind:1", "digest:1"}
    finally:
        await bot.close()


async def test_corrupt_and_unknown_jobs_are_logged_and_skipped(
    store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    first = await started(store_url, monkeypatch, CONFIG)
    await first.open('open "DB leak" --sev 1')
    await first.close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT next_run_time, job_state FROM apscheduler_jobs WHERE id = 'remind:1'")
        ).one()
        state = pickle.loads(row.job_state)
        state.update(id="unknown", func="warroom.bot.reminders.jobs:vanished")
        insert = text("INSERT INTO apscheduler_jobs VALUES (:id, :t, :state)")
        conn.execute(
            insert, {"id": "unknown", "t": row.next_run_time, "state": pickle.dumps(state)}
        )
        conn.execute(insert, {"id": "garbage", "t": row.next_run_time, "state": b"\x00junk"})
    engine.dispose()

    bot = await restarted(store_url, monkeypatch, 30 * MIN)
    try:
        with caplog.at_level(logging.ERROR):
            await bot.app.reminders.start()  # type: ignore[union-attr]
            await bot.app.reminders.leading.wait()  # type: ignore[union-attr]
            await run_due(service(bot))
        logged = caplog.text
        assert 'Unable to restore job "unknown"' in logged
        assert 'Unable to restore job "garbage"' in logged
        assert len(reminders_sent(bot)) == 1, "the good job still runs"
        scheduler = service(bot).timers.scheduler
        assert scheduler is not None and scheduler.running
        caplog.clear()
        bot.clock.advance(15 * MIN)
        await run_due(service(bot))
        assert "Unable to restore" not in caplog.text, "skipped once, not in a loop"
        assert len(kinds(bot, "escalation")) == 1
    finally:
        await bot.close()


async def test_a_job_dropped_while_running_is_re_created(
    store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await started(store_url, monkeypatch, CONFIG)
    try:
        await bot.open('open "DB leak" --sev 1')
        engine = create_engine(store_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE apscheduler_jobs SET job_state = :junk"), {"junk": b"?"})
        engine.dispose()
        bot.clock.advance(30 * MIN)
        with caplog.at_level(logging.ERROR):
            await run_due(service(bot))
        assert 'Unable to restore job "remind:1"' in caplog.text
        assert reminders_sent(bot) == [], "the corrupt wake-up could not fire"
        assert await service(bot).repair() == 1
        await run_due(service(bot))
        assert len(reminders_sent(bot)) == 1
    finally:
        await bot.close()


async def test_jobs_stored_by_an_install_before_the_warroom_namespace_are_re_created(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await started(store_url, monkeypatch, CONFIG)
    await first.open('open "DB leak" --sev 1')
    await first.close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        # such an install had no checkpoint job: this one arms it afresh
        conn.execute(text("DELETE FROM apscheduler_jobs WHERE id = 'checkpoints'"))
        for row in conn.execute(text("SELECT id, job_state FROM apscheduler_jobs")).all():
            state = pickle.loads(row.job_state)
            state["func"] = state["func"].removeprefix("warroom.")  # `bot.reminders.jobs:...`
            conn.execute(
                text("UPDATE apscheduler_jobs SET job_state = :state WHERE id = :id"),
                {"id": row.id, "state": pickle.dumps(state)},
            )
    engine.dispose()

    bot = await restarted(store_url, monkeypatch, 30 * MIN)
    try:
        await bot.app.reminders.start()  # type: ignore[union-attr]
        await bot.app.reminders.leading.wait()  # type: ignore[union-attr]
        await run_due(service(bot))
        assert set(job_times(service(bot))) == {"remind:1", "digest:1"}
        scheduler = service(bot).timers.scheduler
        assert scheduler is not None
        refs = {job.id: job.func_ref for job in scheduler.get_jobs()}
        assert refs == {
            "remind:1": "warroom.bot.reminders.jobs:remind",
            "digest:1": "warroom.bot.reminders.jobs:digest",
            "checkpoints": "warroom.bot.reminders.jobs:checkpoints",  # armed by this install
        }
        assert len(reminders_sent(bot)) == 1
    finally:
        await bot.close()
