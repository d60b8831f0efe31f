"""The words of an incident: its states, its roles and the kinds of timeline entry.

They are `StrEnum`s, so they are stored, compared and shown as the plain words they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from warroom.bot.domain.language import NP_, Language
from warroom.bot.domain.tlp import Tlp


class State(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    CONTAINED = "contained"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATES = (State.INVESTIGATING, State.IDENTIFIED, State.CONTAINED, State.MONITORING)
DONE_STATES = (State.RESOLVED, State.CLOSED)
# reached once containment is done: the time to contain is measured up to the first of them
CONTAINED_STATES = (State.CONTAINED, State.MONITORING, *DONE_STATES)


# Severity 1 is the worst.
SEVERITY_NAMES = {1: "critical", 2: "major", 3: "minor", 4: "low"}
DEFAULT_SEVERITY = 3
DEFAULT_TLP = Tlp.AMBER


class Role(StrEnum):
    COMMANDER = "commander"
    DEPUTY = "deputy"
    SCRIBE = "scribe"
    COMMS = "comms"
    TECH_LEAD = "tech-lead"
    LIAISON = "liaison"  # one per organisation


ROLES = tuple(Role)
LEAD_ROLES = (Role.COMMANDER, Role.DEPUTY)


class EntryKind(StrEnum):
    """What a timeline entry records."""

    OPENED = "opened"
    UPDATE = "update"
    NOTE = "note"
    MESSAGE = "message"
    EDITED = "edited"
    DELETED = "deleted"
    PINNED = "pinned"
    STATE = "state"
    SEVERITY = "severity"
    TLP = "tlp"
    ROLE = "role"
    ORG = "org"
    INVITE = "invite"
    RESOLVED = "resolved"
    CLOSED = "closed"
    RELAY = "relay"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    ESCALATION_NOTICE = "escalation_notice"
    TASK = "task"
    PLAYBOOK = "playbook"
    REVIEW = "review"  # the post-incident review drafted, or marked final
    LESSON = "lesson"  # a lesson of the review: what went well, what to improve
    FOLLOWUP = "followup"  # an action item that outlives the incident
    IOC = "ioc"  # an indicator added, marked false positive or given a TLP by hand
    EXPORT = "export"  # a STIX or MISP export handed out, with the SHA-256 of its bytes
    EXERCISE = "exercise"  # a tabletop exercise started, paused, resumed, ended, its hot wash
    INJECT = "inject"  # a scripted exercise message delivered to a part's war room
    EXPECTATION = "expectation"  # an exercise expectation met or missed
    ANSWER = "answer"  # an answer to an exercise's discussion question


# How each kind is named where people read a timeline (JSON exports keep the kind itself).
KIND_LABELS: dict[str, tuple[str, str]] = {
    EntryKind.OPENED: NP_("entry kind", "opened"),
    EntryKind.UPDATE: NP_("entry kind", "update"),
    EntryKind.NOTE: NP_("entry kind", "note"),
    EntryKind.MESSAGE: NP_("entry kind", "message"),
    EntryKind.EDITED: NP_("entry kind", "edited"),
    EntryKind.DELETED: NP_("entry kind", "deleted"),
    EntryKind.PINNED: NP_("entry kind", "pinned"),
    EntryKind.STATE: NP_("entry kind", "state"),
    EntryKind.SEVERITY: NP_("entry kind", "severity"),
    EntryKind.TLP: NP_("entry kind", "tlp"),
    EntryKind.ROLE: NP_("entry kind", "role"),
    EntryKind.ORG: NP_("entry kind", "org"),
    EntryKind.INVITE: NP_("entry kind", "invite"),
    EntryKind.RESOLVED: NP_("entry kind", "resolved"),
    EntryKind.CLOSED: NP_("entry kind", "closed"),
    EntryKind.RELAY: NP_("entry kind", "relay"),
    EntryKind.REMINDER: NP_("entry kind", "reminder"),
    EntryKind.ESCALATION: NP_("entry kind", "escalation"),
    EntryKind.ESCALATION_NOTICE: NP_("entry kind", "escalation_notice"),
    EntryKind.TASK: NP_("entry kind", "task"),
    EntryKind.PLAYBOOK: NP_("entry kind", "playbook"),
    EntryKind.REVIEW: NP_("entry kind", "review"),
    EntryKind.LESSON: NP_("entry kind", "lesson"),
    EntryKind.FOLLOWUP: NP_("entry kind", "followup"),
    EntryKind.IOC: NP_("entry kind", "ioc"),
    EntryKind.EXPORT: NP_("entry kind", "export"),
    EntryKind.EXERCISE: NP_("entry kind", "exercise"),
    EntryKind.INJECT: NP_("entry kind", "inject"),
    EntryKind.EXPECTATION: NP_("entry kind", "expectation"),
    EntryKind.ANSWER: NP_("entry kind", "answer"),
}


def kind_label(kind: str, lang: Language) -> str:
    """`note` / `Notiz`; a kind this version does not know reads as stored."""
    label = KIND_LABELS.get(kind)
    return lang.pgettext(*label) if label else kind


# The entries a status reminder's clock starts from: a reminder is due a cadence after them.
REMINDER_ANCHORS = (EntryKind.OPENED, EntryKind.UPDATE, EntryKind.SEVERITY)


@dataclass(frozen=True)
class IncidentChanged:
    """An operation changed an incident: `kind` is what its new timeline entry records.
    Listeners (reminders, digests) react to what changed, not to which command ran.
    `replan`: the change moved what the reminder plan depends on, and said so in its own
    transaction (a task now falls due before any other the plan waits for)."""

    incident_id: int
    kind: EntryKind
    replan: bool = False
