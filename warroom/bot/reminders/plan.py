"""What is due, as pure functions of stored state and now: the clock in tests drives these.

An incident's reminder clock starts at its anchor (opening, last status update, last
severity change). Reminder slot k falls due at anchor + k·cadence; a reminder left
unanswered is escalated half a cadence later. Slots missed while warroom was down are
coalesced: only the latest is sent, and only if it is no older than the grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from warroom.bot.tlp import Tlp

Action = Literal["remind", "escalate", "skip", "none"]


@dataclass(frozen=True)
class Slots:
    """The reminder counters kept for one anchor."""

    anchor: datetime
    cadence: timedelta
    reminded: int = 0
    escalated: int = 0

    def reminder_at(self, slot: int) -> datetime:
        return self.anchor + slot * self.cadence

    def escalation_at(self, slot: int) -> datetime:
        return self.reminder_at(slot) + self.cadence / 2

    @property
    def next_at(self) -> datetime:
        """The next moment something may fall due."""
        if self.escalated < self.reminded:
            return self.escalation_at(self.reminded)
        return self.reminder_at(self.reminded + 1)


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
    if latest > slots.reminded:
        due = slots.reminder_at(latest)
        if now - due <= grace:
            after = Slots(slots.anchor, slots.cadence, latest, slots.escalated)
            return Decision("remind", latest, due, after)
        return Decision("skip", latest, due, Slots(slots.anchor, slots.cadence, latest, latest))
    if slots.escalated < slots.reminded:
        due = slots.escalation_at(slots.reminded)
        if now >= due:
            after = Slots(slots.anchor, slots.cadence, slots.reminded, slots.reminded)
            return Decision(
                "escalate" if now - due <= grace else "skip", slots.reminded, due, after
            )
    return Decision("none", 0, None, slots)


def restart(slots: Slots | None, anchor: datetime, cadence: timedelta) -> Slots:
    """The counters for `anchor`: kept if the clock has not restarted, else from zero."""
    if slots is not None and slots.anchor == anchor and slots.cadence == cadence:
        return slots
    return Slots(anchor, cadence)


def visible_in_digest(tlp: str, sender_org: str, digest_org: str) -> bool:
    """TLP 2.0 for digests: nothing RED; AMBER+STRICT only to the sender's own org."""
    try:
        level = Tlp.parse(tlp)
    except ValueError:
        return False  # an unknown marking is treated as the most restrictive
    if level is Tlp.RED:
        return False
    if level is Tlp.AMBER_STRICT:
        return sender_org == digest_org
    return True


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
