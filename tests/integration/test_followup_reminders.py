"""Due follow-ups are reminded once to their owner, in the owner's organisation's digest room
and privately, after `close` and across restarts: on the real scheduler and job store, on a
fake clock. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import job_times, run_due
from tests.integration.test_reminders import CONFIG, service, started
from tests.integration.test_scheduler_restart import restarted

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
async def rbot(store_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, CONFIG)
    yield bot
    await bot.close()


def due_said(bot: TestBot) -> list[Sent]:
    return [s for s in bot.adapter.sent if s.message and "follow-up #" in s.message.title]


def reminded_entries(bot: TestBot) -> list[str]:
    with bot.db() as uow:
        return [e.text for e in uow.timeline.entries(1) if "was due;" in e.text]


async def advance(bot: TestBot, delta: timedelta) -> None:
    bot.clock.advance(delta)
    await run_due(service(bot))


async def test_a_due_follow_up_is_reminded_once_in_the_digest_room_and_privately(
    rbot: TestBot,
) -> None:
    room = await rbot.open('open "DB leak" --sev 4')
    await rbot.send("followup add turn the VPN logs on --owner commander --due 2h")
    assert job_times(service(rbot))["followups"] == rbot.clock.now() + 120 * MIN
    await advance(rbot, 119 * MIN)
    assert due_said(rbot) == []
    await advance(rbot, 1 * MIN)
    digest, private = due_said(rbot)
    assert (digest.kind, digest.room and digest.room.room_id) == ("post", "digest-acme")
    assert digest.message is not None and [u.user_id for u in digest.message.mentions] == ["alice"]
    assert digest.message.title == "⏰ INC-1: follow-up #1 is due"
    assert (
        "alice, follow-up #1 of INC-1 was due Jan 1, 2026, 14:00 UTC: turn the VPN logs on"
        in digest.text
    )
    assert "`/incident followup done 1 --id INC-1`" in digest.text
    assert (private.kind, private.room, private.user and private.user.user_id) == (
        "notify",
        room,
        "alice",
    )
    assert reminded_entries(rbot) == ["Follow-up #1 was due; @alice (commander) reminded"]
    assert "followups" not in job_times(service(rbot))
    await advance(rbot, 60 * MIN)
    await service(rbot).followups()  # a check of its own finds nothing more to say
    assert len(due_said(rbot)) == 2


async def test_a_follow_up_done_in_time_is_not_reminded_and_the_job_moves_on(
    rbot: TestBot,
) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("followup add first --owner commander --due 10m")
    await rbot.send("followup add second --owner commander --due 20m")
    await rbot.send("followup done 1")
    await advance(rbot, 10 * MIN)
    assert due_said(rbot) == []
    assert job_times(service(rbot))["followups"] == rbot.clock.now() + 10 * MIN
    await advance(rbot, 10 * MIN)
    assert {s.kind for s in due_said(rbot)} == {"post", "notify"}
    assert all("follow-up #2" in s.text for s in due_said(rbot))


async def test_a_follow_up_is_reminded_after_close_across_a_restart_once(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await started(store_url, monkeypatch, CONFIG)
    await first.open('open "DB leak" --sev 4')
    await first.send("followup add patch the VPN --owner commander --due 3d")
    await first.send("resolve patched for now")
    await first.send("close")
    assert "followups" in job_times(service(first))
    await first.close()

    later = 3 * DAY + 5 * MIN
    for attempt in range(2):  # the second restart finds it reminded already
        bot = await restarted(store_url, monkeypatch, later)
        try:
            reminders = service(bot)
            await reminders.start()
            await asyncio.wait_for(reminders.leading.wait(), 10)
            await run_due(reminders)
            said = due_said(bot)
            if attempt == 0:
                digest, private = said
                assert digest.room is not None and digest.room.room_id == "digest-acme"
                # the war room is archived: the owner is told privately in the digest room
                assert private.kind == "notify" and private.room == digest.room
                assert "patch the VPN" in private.text
            else:
                assert said == []
            assert reminded_entries(bot) == ["Follow-up #1 was due; @alice (commander) reminded"]
            assert "followups" not in job_times(reminders)
        finally:
            await bot.close()
        later += 5 * MIN


async def test_only_the_leader_reminds(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    leader = await started(store_url, monkeypatch, CONFIG)
    standby = TestBot(store_url, config=CONFIG, platform="console")
    try:
        await leader.open('open "DB leak" --sev 4')
        standby.room = leader.room
        await standby.send(
            "followup add call the insurer --owner commander --due 5m", event_id="standby-1"
        )
        await service(leader).sync()  # the leader's poll finds the standby's change
        assert job_times(service(leader))["followups"] == leader.clock.now() + 5 * MIN
        leader.clock.advance(5 * MIN)
        standby.clock.advance(5 * MIN)
        await run_due(service(leader))
        assert len(due_said(leader)) == 2 and due_said(standby) == []
    finally:
        await standby.close()
        await leader.close()


async def test_the_reminder_shows_the_text_only_where_the_rule_allows(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4 --org cert')
    rbot.room = rbot.adapter.of_kind("create_room")[0].room  # type: ignore[assignment]
    await rbot.send('followup add "TLP:RED k1z keep it home" --owner commander --due 5m')
    await advance(rbot, 5 * MIN)
    [private] = due_said(rbot)  # RED is never digested, not even at home
    assert private.kind == "notify" and "k1z" in private.text
    assert reminded_entries(rbot) == ["Follow-up #1 was due; @alice (commander) reminded"]


async def test_a_re_timed_follow_up_is_reminded_at_its_new_time_and_once_more_after(
    rbot: TestBot,
) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("followup add rotate the keys --owner commander --due 2h")
    await rbot.send("followup due 1 5h")
    assert job_times(service(rbot))["followups"] == rbot.clock.now() + 300 * MIN
    await advance(rbot, 120 * MIN)
    assert due_said(rbot) == []
    await advance(rbot, 180 * MIN)
    assert len(due_said(rbot)) == 2
    await rbot.send("followup due 1 1d")  # reminded, then given more time: reminded again
    assert job_times(service(rbot))["followups"] == rbot.clock.now() + DAY
    await advance(rbot, DAY)
    assert len(due_said(rbot)) == 4
    with rbot.db() as uow:
        texts = [e.text for e in uow.timeline.of_kind(1, "followup")]
    assert texts[1] == "Follow-up #1 due Jan 1, 2026, 17:00 UTC (was Jan 1, 2026, 14:00 UTC)"
    assert reminded_entries(rbot) == ["Follow-up #1 was due; @alice (commander) reminded"] * 2


async def test_a_follow_up_reopened_after_its_reminder_is_reminded_once_more_at_once(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await started(store_url, monkeypatch, CONFIG)
    try:
        await first.open('open "DB leak" --sev 4')
        await first.send("followup add patch the VPN --owner commander --due 10m")
        await advance(first, 10 * MIN)
        await first.send("followup done 1")
        await advance(first, 60 * MIN)
        assert len(due_said(first)) == 2
        await first.send("followup reopen 1")  # due long ago: one reminder now
        await first.app.reminders.settled()  # type: ignore[union-attr]
        assert len(due_said(first)) == 4
        assert "followups" not in job_times(service(first))
    finally:
        await first.close()
    bot = await restarted(store_url, monkeypatch, 2 * DAY)  # a restart says nothing more
    try:
        await service(bot).start()
        await asyncio.wait_for(service(bot).leading.wait(), 10)
        await run_due(service(bot))
        assert due_said(bot) == []
        assert reminded_entries(bot) == ["Follow-up #1 was due; @alice (commander) reminded"] * 2
    finally:
        await bot.close()


async def test_a_follow_up_reopened_before_its_due_time_is_reminded_then(rbot: TestBot) -> None:
    await rbot.open('open "DB leak" --sev 4')
    await rbot.send("followup add patch the VPN --owner commander --due 1h")
    await rbot.send("followup done 1")
    assert "followups" not in job_times(service(rbot))
    await advance(rbot, 30 * MIN)
    await rbot.send("followup reopen 1")
    assert due_said(rbot) == []
    assert job_times(service(rbot))["followups"] == rbot.clock.now() + 30 * MIN
    await advance(rbot, 30 * MIN)
    assert len(due_said(rbot)) == 2
