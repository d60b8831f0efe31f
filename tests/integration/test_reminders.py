"""Status reminders and escalation, on the real scheduler and job store, on a fake clock."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import checkpoint_time, job_times, on_clock, run_due
from warroom.bot.config import Config, parse_config
from warroom.bot.registry import Registry
from warroom.bot.reminders import due, jobs
from warroom.bot.reminders.service import Reminders

CONFIG = parse_config(
    {
        "reminders": {"sev1": "30m", "sev2": "1h", "sev3": "4h", "sev4": "1d"},
        "orgs": [
            {"id": "acme", "platform": "console", "digest_room": "digest-acme"},
            {"id": "cert", "platform": "console", "digest_room": "digest-cert"},
        ],
        "sharing": [{"orgs": ["acme", "cert"]}],
    }
)
MIN = timedelta(minutes=1)


async def started(store_url: str, monkeypatch: pytest.MonkeyPatch, config: Config) -> TestBot:
    bot = TestBot(store_url, config=config, platform="console")
    on_clock(monkeypatch, bot.clock)
    assert bot.app.reminders is not None
    await bot.app.reminders.start()
    await asyncio.wait_for(bot.app.reminders.leading.wait(), 10)
    return bot


@pytest.fixture
async def rbot(store_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, CONFIG)
    yield bot
    await bot.close()


def service(bot: TestBot) -> Reminders:
    assert bot.app.reminders is not None
    return bot.app.reminders


def posts(bot: TestBot, room_id: str | None = None) -> list[Sent]:
    return [
        s
        for s in bot.adapter.of_kind("post")
        if room_id is None or (s.room is not None and s.room.room_id == room_id)
    ]


def reminders_sent(bot: TestBot) -> list[Sent]:
    return [s for s in posts(bot) if s.message and "status update overdue" in s.message.title]


def kinds(bot: TestBot, kind: str) -> list[str]:
    with bot.db() as uow:
        return [e.text for e in uow.timeline.entries(1) if e.kind == kind]


async def advance(bot: TestBot, delta: timedelta) -> None:
    bot.clock.advance(delta)
    await run_due(service(bot))


async def test_cadence_follows_severity(rbot: TestBot) -> None:
    opened = rbot.clock.now()
    for sev in (1, 2, 3, 4):
        await rbot.send(f'open "incident {sev}" --sev {sev}', room=rbot.room)
    times = job_times(service(rbot))
    cadences = {1: 30 * MIN, 2: 60 * MIN, 3: 240 * MIN, 4: 1440 * MIN}
    for number, sev in enumerate((1, 2, 3, 4), start=1):
        assert times[f"remind:{number}"] == opened + cadences[sev]
        assert times[f"digest:{number}"] == opened + timedelta(hours=1)


async def test_cadence_is_read_from_config_durations(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = {"reminders": {"sev2": "45s"}, "orgs": [{"id": "acme", "platform": "console"}]}
    bot = await started(store_url, monkeypatch, parse_config(raw))
    try:
        opened = bot.clock.now()
        await bot.open('open "leak" --sev 2')
        assert job_times(service(bot))["remind:1"] == opened + timedelta(seconds=45)
        await advance(bot, timedelta(seconds=44))
        assert reminders_sent(bot) == []
        await advance(bot, timedelta(seconds=1))
        assert len(reminders_sent(bot)) == 1
    finally:
        await bot.close()


async def test_due_reminder_mentions_the_commander_in_the_war_room(rbot: TestBot) -> None:
    room = await rbot.open('open "DB leak" --sev 1')
    await advance(rbot, 29 * MIN)
    assert reminders_sent(rbot) == []
    await advance(rbot, 1 * MIN)
    [sent] = reminders_sent(rbot)
    assert sent.room == room
    assert sent.message is not None
    assert [m.user_id for m in sent.message.mentions] == ["alice"]
    assert "no status update on INC-1 for 30 minutes (since 12:00 UTC)" in sent.text
    assert "/incident update" in sent.text
    assert kinds(rbot, "reminder") == ["Reminder: no status update for 30m; alice mentioned"]


async def test_a_job_firing_twice_sends_one_reminder(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    rbot.clock.advance(30 * MIN)
    await jobs.remind(1)
    await jobs.remind(1)
    await run_due(service(rbot))
    assert len(reminders_sent(rbot)) == 1


async def test_update_restarts_the_clock(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    await advance(rbot, 20 * MIN)
    await rbot.send("update keys rotated")
    assert job_times(service(rbot))["remind:1"] == rbot.clock.now() + 30 * MIN
    await advance(rbot, 29 * MIN)
    assert reminders_sent(rbot) == []
    await advance(rbot, 1 * MIN)
    [sent] = reminders_sent(rbot)
    assert "for 30 minutes" in sent.text


async def test_reminders_follow_what_changed_not_which_verb_changed_it(rbot: TestBot) -> None:
    registry = rbot.app.core.registry
    renamed = dataclasses.replace(registry["update"], verb="sitrep")
    rbot.app.core.registry = Registry([*registry.values(), renamed])
    await rbot.open('open "DB leak" --sev 1')
    await advance(rbot, 20 * MIN)
    await rbot.send("sitrep keys rotated")
    assert job_times(service(rbot))["remind:1"] == rbot.clock.now() + 30 * MIN
    await rbot.send("note a note changes no plan")
    assert job_times(service(rbot))["remind:1"] == rbot.clock.now() + 30 * MIN


async def test_sev_change_replans_the_next_reminder(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 3')
    assert job_times(service(rbot))["remind:1"] == rbot.clock.now() + 4 * 60 * MIN
    await advance(rbot, 10 * MIN)
    await rbot.send("sev 1")
    assert job_times(service(rbot))["remind:1"] == rbot.clock.now() + 30 * MIN
    await advance(rbot, 30 * MIN)
    [sent] = reminders_sent(rbot)
    assert "SEV1 asks for one every 30 minutes" in sent.text


async def test_unanswered_reminder_is_escalated_to_deputy_and_digest_room(rbot: TestBot) -> None:
    room = await rbot.open('open "DB leak" --sev 1')
    await rbot.send("role deputy @bob")
    rbot.adapter.clear()
    await advance(rbot, 30 * MIN)
    assert len(reminders_sent(rbot)) == 1
    await advance(rbot, 14 * MIN)
    assert kinds(rbot, "escalation") == []
    await advance(rbot, 1 * MIN)
    [war_room] = [s for s in posts(rbot, room.room_id) if "escalated" in s.text]
    assert war_room.message is not None
    assert [m.user_id for m in war_room.message.mentions] == ["bob"]
    [notice] = [s for s in posts(rbot, "digest-acme") if "escalated" in s.text]
    assert "Deputy" in notice.text and "bob" in notice.text
    assert kinds(rbot, "escalation") == [
        "Escalated: the reminder went unanswered; deputy bob mentioned"
    ]
    assert kinds(rbot, "escalation_notice") == ["Escalation reported to the acme digest room"]
    await advance(rbot, 5 * MIN)
    assert len(kinds(rbot, "escalation")) == 1


async def test_answered_reminder_is_not_escalated(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    await advance(rbot, 30 * MIN)
    await advance(rbot, 10 * MIN)
    await rbot.send("update contained the leak")
    await advance(rbot, 10 * MIN)
    assert kinds(rbot, "escalation") == []
    assert len(reminders_sent(rbot)) == 1


async def test_resolve_and_close_remove_the_jobs(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    first_room = rbot.room
    await rbot.open('open "Phish" --sev 1')
    assert set(job_times(service(rbot))) == {"remind:1", "digest:1", "remind:2", "digest:2"}
    await rbot.send("resolve fixed")
    assert set(job_times(service(rbot))) == {"remind:1", "digest:1"}
    await rbot.send("close")
    await advance(rbot, 30 * MIN)
    await jobs.remind(2)  # a job that fires anyway (a stale copy) sends nothing
    await service(rbot).settled()
    assert [s.room for s in reminders_sent(rbot)] == [first_room]


async def test_missed_slots_fire_once_not_once_per_slot(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    rbot.clock.advance(30 * MIN * 5 + 5 * MIN)  # down across five slots
    await run_due(service(rbot))
    [sent] = reminders_sent(rbot)
    assert "for 2 hours 35 minutes" in sent.text
    assert kinds(rbot, "escalation") == []


async def test_slots_missed_beyond_the_grace_period_are_skipped(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4')  # every day; the grace period is an hour
    rbot.clock.advance(timedelta(days=1, hours=2))
    await run_due(service(rbot))
    assert reminders_sent(rbot) == []
    await advance(rbot, timedelta(hours=22))
    assert len(reminders_sent(rbot)) == 1


async def test_reopening_brings_the_jobs_back(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    await rbot.send("resolve fixed")
    assert job_times(service(rbot)) == {}
    await rbot.send("update it is back --state monitoring")
    assert set(job_times(service(rbot))) == {"remind:1", "digest:1"}
    await advance(rbot, 30 * MIN)
    assert len(reminders_sent(rbot)) == 1


async def test_a_job_naming_a_missing_incident_is_dropped(
    rbot: TestBot, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler = service(rbot).timers.scheduler
    assert scheduler is not None
    scheduler.add_job(
        jobs.remind, "interval", minutes=15, args=[99], id="remind:99", next_run_time=None
    )
    scheduler.modify_job("remind:99", next_run_time=rbot.clock.now())
    await advance(rbot, 1 * MIN)
    assert "names incident 99, which does not exist" in caplog.text
    assert job_times(service(rbot)) == {}


async def test_a_failing_check_is_logged_and_the_command_still_answers(
    rbot: TestBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await rbot.open('open "DB leak" --sev 1')

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(due, "check", broken)
    sent = await rbot.send("update keys rotated")
    assert [s.kind for s in sent][:1] == ["post"], "the update is answered as usual"
    assert not any("Sorry" in s.text for s in sent)
    assert "checking incident 1 failed" in caplog.text
    monkeypatch.undo()
    on_clock(monkeypatch, rbot.clock)
    await advance(rbot, 30 * MIN)
    assert len(reminders_sent(rbot)) == 1, "the next check works again"


async def test_a_change_made_in_another_process_is_planned_by_the_leader(
    rbot: TestBot, store_url: str
) -> None:
    await rbot.open('open "DB leak" --sev 3')
    standby = TestBot(store_url, config=CONFIG, platform="console")  # runs no scheduler
    try:
        standby.clock.advance(10 * MIN)
        await standby.send("sev 1 --id INC-1", event_id="standby-1")
        assert job_times(service(rbot))["remind:1"] == rbot.clock.now() + 4 * 60 * MIN
        assert await service(rbot).sync() == 1  # what the leader's poll does
        assert job_times(service(rbot))["remind:1"] == standby.clock.now() + 30 * MIN
        assert await service(rbot).sync() == 0
    finally:
        await standby.close()


async def test_an_escalation_notice_names_a_red_title_to_no_digest_room(rbot: TestBot) -> None:
    await rbot.open('open "TLP:RED board member phished" --sev 1')
    await advance(rbot, 30 * MIN)
    await advance(rbot, 15 * MIN)
    [notice] = [s for s in posts(rbot, "digest-acme") if "escalated" in s.text]
    assert "board member" not in notice.text
    assert "INC-1 (title withheld: TLP:RED)" in notice.text


async def test_the_leader_arms_the_checkpoint_job_one_interval_ahead(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 1')
    armed = checkpoint_time(service(rbot))
    assert armed is not None
    assert armed - rbot.clock.now() <= rbot.config.audit.checkpoint_interval
