"""The indicators through the real wiring, with known durations on a controllable clock:
exact medians, p90s and shares within goal; exercises apart; a period's edge; on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.bot import TestBot
from warroom.bot.config import Config, OrgConfig
from warroom.bot.domain.goals import Goals, Measure, Targets
from warroom.bot.operations.stats import indicators
from warroom.bot.operations.stats_report import report_json

MINUTE = timedelta(minutes=1)
GOALS = Goals(
    default=((2, Targets(acknowledge=10 * MINUTE, contain=60 * MINUTE, resolve=120 * MINUTE)),),
)


def config(locale: str = "en") -> Config:
    org = OrgConfig(id="acme", platform="fake", workspace="acme", locale=locale)
    return Config(orgs=(org,), goals=GOALS)


async def history(bot: TestBot) -> None:
    """An old incident, then three SEV2s of known timings, and an exercise."""
    await bot.open('open "long ago" --sev 2')
    await bot.send("update seen")
    bot.clock.advance(timedelta(days=100))
    await bot.open('open "first" --sev 2')
    await bot.send('task add "rotate the key"')
    await bot.send('task add "tell the customers"')
    bot.clock.advance(5 * MINUTE)
    await bot.send("update looking")  # acknowledged after 5 minutes
    await bot.send("task done 1")
    bot.clock.advance(25 * MINUTE)
    await bot.send("update found it --state contained")  # contained after 30 minutes
    bot.clock.advance(60 * MINUTE)
    await bot.send("resolve")  # resolved after 90 minutes
    await bot.send('followup add "rotate every key" --owner commander --due 1h')
    await bot.send('followup add "write the runbook" --owner commander')
    await bot.send('followup add "brief the board" --owner commander')
    await bot.send("followup done 3")
    bot.clock.advance(30 * MINUTE)
    await bot.open('open "second" --sev 2')
    bot.clock.advance(20 * MINUTE)
    await bot.send("update late")  # 20 minutes: past its 10-minute goal
    bot.clock.advance(160 * MINUTE)
    await bot.send("resolve")  # 3 hours: contained and resolved at once, past both goals
    await bot.open('open "drill" --sev 2 --exercise')
    bot.clock.advance(MINUTE)
    await bot.send("update drill acknowledged")
    await bot.send("task add drill task")
    await bot.send("task done 1")
    await bot.open('open "third" --sev 2')  # not acknowledged yet
    bot.clock.advance(5 * MINUTE)


async def test_figures_are_exact_for_known_durations(store_url: str) -> None:
    bot = TestBot(store_url, config=config())
    try:
        await history(bot)
        with bot.db() as uow:
            found = indicators(uow, bot.config, now=bot.clock.now())
        (sev2,) = found.real.rows
        # tasks done 1; follow-ups open 2, of them overdue 1 (due 1 h after resolve)
        assert (sev2.label, sev2.count, list(sev2.counts)) == ("2", 3, [1, 2, 1])
        ack = sev2.spreads[Measure.ACKNOWLEDGE]
        # nearest rank over [300, 1200]: the median is the 1st, the p90 the 2nd
        assert (ack.reached, ack.median, ack.p90) == (2, 300.0, 1200.0)
        assert (ack.within, ack.decided) == (1, 2)  # the third is 5 minutes in: undecided
        contain = sev2.spreads[Measure.CONTAIN]
        assert (contain.median, contain.p90, contain.within, contain.decided) == (
            1800.0,
            10800.0,
            1,
            2,
        )
        resolve = sev2.spreads[Measure.RESOLVE]
        assert (resolve.median, resolve.p90, resolve.within, resolve.decided) == (
            5400.0,
            10800.0,
            1,
            2,
        )
        assert [(m.label, m.count) for m in found.real.months] == [("2026-04", 3)]
        # the exercise is counted apart, with its own task
        (drill,) = found.exercises.rows
        assert (drill.count, drill.spreads[Measure.ACKNOWLEDGE].median, list(drill.counts)) == (
            1,
            60.0,
            [1, 0, 0],
        )
        bot.clock.advance(10 * MINUTE)  # the third passes its acknowledgement goal unseen
        with bot.db() as uow:
            later = indicators(uow, bot.config, now=bot.clock.now())
        ack = later.real.rows[0].spreads[Measure.ACKNOWLEDGE]
        assert (ack.within, ack.decided, ack.median) == (1, 3, 300.0)
        with bot.db() as uow:
            year = indicators(uow, bot.config, now=bot.clock.now(), since=timedelta(days=365))
        assert year.real.rows[0].count == 4  # the old one is in a year, not in 90 days
        with bot.db() as uow:
            none = indicators(uow, bot.config, now=bot.clock.now(), severity=1)
        assert none.real.rows == [] and none.exercises.rows == []
    finally:
        await bot.close()


async def test_stats_answers_privately_in_the_callers_words(store_url: str) -> None:
    bot = TestBot(store_url, config=config())
    try:
        await history(bot)
        (sent,) = await bot.send("stats --sev 2")
        assert sent.kind == "notify" and sent.message is not None
        body = sent.message.body
        assert "**SEV2** · 3 incidents" in body
        assert (
            "acknowledged: median 5 minutes, p90 20 minutes (2); 50% (1 of 2) within 10 minutes"
            in body
        )
        assert "resolved: median 1 hour 30 minutes, p90 3 hours (2)" in body
        assert "tasks done: 1" in body
        assert "2026-04: 3" in body
        exercises = body.index("Exercises, counted apart: 1 exercise")
        assert (
            "median 1 minute," in body[exercises:] and "median 1 minute," not in body[:exercises]
        )
    finally:
        await bot.close()


async def test_stats_speaks_german_to_a_german_org(store_url: str) -> None:
    bot = TestBot(store_url, config=config("de"))
    try:
        await history(bot)
        (sent,) = await bot.send("stats")
        assert sent.message is not None
        body = sent.message.body
        assert "bestätigt: Median 5 Minuten, p90 20 Minuten (2); 50\xa0% (1 von 2)" in body
        assert "innerhalb von 10 Minuten" in body
        assert "Übungen, getrennt gezählt: 1 Übung" in body
        assert "median" not in body and "incident" not in body
    finally:
        await bot.close()


async def test_a_bad_period_is_refused_in_one_line_and_changes_nothing(bot: TestBot) -> None:
    await bot.open()
    with bot.db() as uow:
        before = uow.incidents.by_key("INC-1")
        assert before is not None
        seq = before.timeline_seq
    (sent,) = await bot.send("stats --since soon")
    assert sent.kind == "notify" and sent.message is not None
    assert sent.message.body == "⚠ 'soon' is not a duration like 45s, 30m, 4h or 90d"
    assert sent.message.footer == "usage: stats [--since D] [--sev N]"
    (sent,) = await bot.send("stats --sev 7")
    assert sent.message is not None and sent.message.body.startswith("⚠")
    (sent,) = await bot.send("stats --since 36500000d")  # further back than any calendar
    assert sent.message is not None and "**SEV2** · 1 incident" in sent.message.body
    with bot.db() as uow:
        after = uow.incidents.by_key("INC-1")
        assert after is not None and after.timeline_seq == seq


async def test_the_report_json_carries_the_same_figures(store_url: str) -> None:
    bot = TestBot(store_url, config=config())
    try:
        await history(bot)
        with bot.db() as uow:
            data = report_json(indicators(uow, bot.config, now=bot.clock.now()))
        (sev2,) = data["incidents"]["by_severity"]
        assert sev2["severity"] == 2 and sev2["count"] == 3 and sev2["tasks_done"] == 1
        assert (sev2["followups_open"], sev2["followups_overdue"]) == (2, 1)
        assert sev2["acknowledge"] == {
            "reached": 2,
            "median_s": 300.0,
            "p90_s": 1200.0,
            "target_s": 600.0,
            "within_target": 1,
            "judged": 2,
            "share_within_target": 0.5,
        }
        assert data["exercises"]["count"] == 1 and data["incidents"]["count"] == 3
        assert data["percentiles"] == "nearest-rank"
    finally:
        await bot.close()
