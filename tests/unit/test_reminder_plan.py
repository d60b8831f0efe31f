"""What is due when: the pure planning functions, on explicit times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.bot.reminders.plan import Slots, decide, restart

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
CADENCE = timedelta(minutes=30)
GRACE = timedelta(hours=1)
MIN = timedelta(minutes=1)


def test_nothing_is_due_before_the_first_slot() -> None:
    decision = decide(Slots(T0, CADENCE), T0 + 29 * MIN, GRACE)
    assert decision.action == "none"
    assert decision.after.next_at == T0 + 30 * MIN


def test_first_slot_is_a_reminder_then_escalation_half_a_cadence_later() -> None:
    first = decide(Slots(T0, CADENCE), T0 + 30 * MIN, GRACE)
    assert (first.action, first.slot) == ("remind", 1)
    assert first.after.next_at == T0 + 45 * MIN
    early = decide(first.after, T0 + 44 * MIN, GRACE)
    assert early.action == "none"
    escalation = decide(first.after, T0 + 45 * MIN, GRACE)
    assert (escalation.action, escalation.slot) == ("escalate", 1)
    assert escalation.after.next_at == T0 + 60 * MIN


def test_a_slot_already_handled_is_not_repeated() -> None:
    done = Slots(T0, CADENCE, reminded=1, escalated=1, reminded_at=T0 + 30 * MIN)
    assert decide(done, T0 + 59 * MIN, GRACE).action == "none"
    assert decide(done, T0 + 60 * MIN, GRACE).action == "remind"


def test_missed_slots_are_coalesced_into_the_latest() -> None:
    decision = decide(Slots(T0, CADENCE), T0 + 155 * MIN, GRACE)
    assert (decision.action, decision.slot, decision.due_at) == ("remind", 5, T0 + 150 * MIN)
    assert decision.after.escalated == 0  # its escalation is still to come


def test_a_newer_slot_supersedes_a_pending_escalation() -> None:
    reminded = Slots(T0, CADENCE, reminded=1, escalated=0, reminded_at=T0 + 30 * MIN)
    decision = decide(reminded, T0 + 61 * MIN, GRACE)
    assert (decision.action, decision.slot) == ("remind", 2)


def test_a_late_reminder_restarts_the_clock() -> None:
    late = decide(Slots(T0, CADENCE), T0 + 50 * MIN, GRACE)  # slot 1, sent 20 minutes late
    assert (late.action, late.after.reminded_at) == ("remind", T0 + 50 * MIN)
    assert late.after.next_at == T0 + 65 * MIN  # its escalation, not the old grid's slot 2
    assert decide(late.after, T0 + 64 * MIN, GRACE).action == "none"
    escalated = decide(late.after, T0 + 65 * MIN, GRACE)
    assert escalated.action == "escalate"
    assert escalated.after.next_at == T0 + 80 * MIN  # a full cadence after it went out
    assert decide(escalated.after, T0 + 79 * MIN, GRACE).action == "none"
    assert decide(escalated.after, T0 + 80 * MIN, GRACE).action == "remind"


def test_a_reminder_on_time_keeps_the_clock_on_its_grid() -> None:
    first = Slots(T0, CADENCE)
    slightly = decide(first, T0 + 30 * MIN + timedelta(seconds=2), GRACE)
    assert slightly.after.reminded_at == T0 + 30 * MIN
    assert slightly.after.next_at == T0 + 45 * MIN
    assert slightly.after.same_grid(first)
    late = decide(first, T0 + 35 * MIN, GRACE)
    assert late.after.next_at == T0 + 50 * MIN
    assert not late.after.same_grid(first)


def test_slots_older_than_the_grace_period_are_skipped() -> None:
    daily = timedelta(days=1)
    decision = decide(Slots(T0, daily), T0 + daily + 2 * 60 * MIN, GRACE)
    assert decision.action == "skip"
    assert (decision.after.reminded, decision.after.escalated) == (1, 1)
    assert decision.after.next_at == T0 + 2 * daily  # nothing went out: the grid stays


def test_a_new_anchor_restarts_the_counters() -> None:
    old = Slots(T0, CADENCE, reminded=3, escalated=3)
    assert restart(old, T0, CADENCE) is old
    fresh = restart(old, T0 + 100 * MIN, CADENCE)
    assert (fresh.anchor, fresh.reminded, fresh.escalated) == (T0 + 100 * MIN, 0, 0)
