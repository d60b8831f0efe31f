"""What is due, as pure functions of stored state and now: the clock in tests drives these.

An incident's reminder clock starts at its anchor (opening, last status update, last
severity change). Reminder slot k falls due at anchor + k·cadence; a reminder left
unanswered is escalated half a cadence later. Slots missed while warroom was down are
coalesced: only the latest is sent, and only if it is no older than the grace period.

Every moment is on a grid of half cadences from the first slot, which the scheduler's
interval job follows, unless a reminder went out late (more than a tenth of a cadence, at
most a minute): its escalation then comes half a cadence after it went out, off the grid.
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
    reminded: int = 0
    escalated: int = 0
    reminded_at: datetime | None = None  # when the latest reminder actually went out

    def reminder_at(self, slot: int) -> datetime:
        return self.anchor + slot * self.cadence

    def on_grid(self, at: datetime) -> bool:
        """Whether `at` is a tick of the interval job: first slot + n half cadences."""
        offset = at - self.reminder_at(1)
        return offset >= timedelta(0) and offset % (self.cadence / 2) == timedelta(0)

    @property
    def escalation_at(self) -> datetime:
        """Half a cadence after the latest reminder went out (a late one is not escalated
        the moment it is sent)."""
        sent = self.reminded_at or self.reminder_at(self.reminded)
        return sent + self.cadence / 2

    @property
    def next_at(self) -> datetime:
        """The next moment something may fall due."""
        following = self.reminder_at(self.reminded + 1)
        if self.escalated < self.reminded:
            return min(self.escalation_at, following)
        return following


@dataclass(frozen=True)
class Decision:
    action: Action
    slot: int  # the reminder slot acted on (0 when nothing)
    due_at: datetime | None  # when the action fell due
    after: Slots  # the counters once the action is done


def decide(slots: Slots, now: datetime, grace: timedelta) -> Decision:
    """The one thing to do now, if any: remind, escalate, or skip what is too old."""
    elapsed = now - slots.anchor
    latest = max(0, elapsed // slots.cadence) if elapsed > timedelta(0) else 0
    if latest > slots.reminded:  # a newer slot also supersedes a pending escalation
        due = slots.reminder_at(latest)
        if now - due <= grace:
            on_time = now - due <= min(slots.cadence / 10, ON_TIME)
            after = replace(slots, reminded=latest, reminded_at=due if on_time else now)
            return Decision("remind", latest, due, after)
        return Decision("skip", latest, due, replace(slots, reminded=latest, escalated=latest))
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


def cadence_text(cadence: timedelta) -> str:
    seconds = int(cadence.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
