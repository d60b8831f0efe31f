"""What is due, as pure functions of stored state and now: the clock in tests drives these.

An incident's reminder clock starts at its anchor (opening, last status update, last
severity change). The first reminder falls due a cadence after it, each next one a cadence
after the one before; a reminder left unanswered is escalated half a cadence after it went
out. Slots missed while warroom was down are coalesced: only the latest is sent, and only if
it is no older than the grace period.

A reminder sent on time (at most a tenth of a cadence late, at most a minute) keeps the clock
on its grid of half cadences, which the scheduler's interval job follows. One sent later (the
catch-up after downtime) restarts the clock: its escalation comes half a cadence after it and
the next reminder a full cadence after it, on a new grid, not at the next slot of the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

Action = Literal["remind", "escalate", "skip", "none"]
ON_TIME = timedelta(minutes=1)


@dataclass(frozen=True)
class Slots:
    """The reminder counters kept for one anchor."""

    anchor: datetime
    cadence: timedelta
    reminded: int = 0  # reminders due so far (sent or skipped) since the anchor
    escalated: int = 0
    # When the clock last restarted at a reminder: when the latest one went out, or its slot
    # when it went out on time or was skipped.
    reminded_at: datetime | None = None

    @property
    def clock_at(self) -> datetime:
        """Where the clock counts from: the latest reminder, else the anchor."""
        if self.reminded_at is not None and self.reminded:
            return self.reminded_at
        return self.anchor + self.reminded * self.cadence

    @property
    def following_at(self) -> datetime:
        """When the next reminder falls due."""
        return self.clock_at + self.cadence

    @property
    def grid_start(self) -> datetime:
        """The first tick of the interval job: the first reminder, or the escalation of the
        latest one. Every moment is on this grid of half cadences."""
        if self.reminded == 0:
            return self.following_at
        return self.clock_at + self.cadence / 2

    def same_grid(self, other: Slots) -> bool:
        """Whether the interval job armed for `other` also ticks at this clock's moments."""
        return (self.grid_start - other.grid_start) % (self.cadence / 2) == timedelta(0)

    @property
    def escalation_at(self) -> datetime:
        """Half a cadence after the latest reminder went out."""
        return self.clock_at + self.cadence / 2

    @property
    def next_at(self) -> datetime:
        """The next moment something may fall due."""
        if self.escalated < self.reminded:
            return min(self.escalation_at, self.following_at)
        return self.following_at


@dataclass(frozen=True)
class Decision:
    action: Action
    slot: int  # the reminder slot acted on (0 when nothing)
    due_at: datetime | None  # when the action fell due
    after: Slots  # the counters once the action is done


def decide(slots: Slots, now: datetime, grace: timedelta) -> Decision:
    """The one thing to do now, if any: remind, escalate, or skip what is too old."""
    elapsed = now - slots.clock_at
    missed = elapsed // slots.cadence if elapsed >= slots.cadence else 0
    if missed:  # a newer slot also supersedes a pending escalation
        latest = slots.reminded + missed
        due = slots.clock_at + missed * slots.cadence
        if now - due <= grace:
            on_time = now - due <= min(slots.cadence / 10, ON_TIME)
            after = replace(slots, reminded=latest, reminded_at=due if on_time else now)
            return Decision("remind", latest, due, after)
        skipped = replace(slots, reminded=latest, escalated=latest, reminded_at=due)
        return Decision("skip", latest, due, skipped)
    if slots.escalated < slots.reminded and now >= slots.escalation_at:
        due = slots.escalation_at
        after = replace(slots, escalated=slots.reminded)
        action: Action = "escalate" if now - due <= grace else "skip"
        return Decision(action, slots.reminded, due, after)
    return Decision("none", 0, None, slots)


def restart(slots: Slots | None, anchor: datetime, cadence: timedelta) -> Slots:
    """The counters for `anchor`: kept if the clock has not restarted, else from zero."""
    if slots is not None and slots.anchor == anchor and slots.cadence == cadence:
        return slots
    return Slots(anchor, cadence)


def overdue_for(since: datetime, now: datetime) -> str:
    """`"45m"`, `"2h 05m"`: how long since the last update, for humans."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else f"{max(0, int((now - since).total_seconds()))}s"
