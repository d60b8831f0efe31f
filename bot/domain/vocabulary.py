"""The words of an incident: its states, its roles and the kinds of timeline entry.

They are `StrEnum`s, so they are stored, compared and shown as the plain words they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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


# The entries a status reminder's clock starts from: a reminder is due a cadence after them.
REMINDER_ANCHORS = (EntryKind.OPENED, EntryKind.UPDATE, EntryKind.SEVERITY)


@dataclass(frozen=True)
class IncidentChanged:
    """An operation changed an incident: `kind` is what its new timeline entry records.
    Listeners (reminders, digests) react to what changed, not to which command ran."""

    incident_id: int
    kind: EntryKind
