"""Tables. Times are aware UTC datetimes (SQLModel's UTCDateTime columns)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from warroom.bot.domain.events import MessageRef, RoomRef
from warroom.bot.domain.vocabulary import State

GENESIS_HASH = "0" * 64
# a task that is still to be reminded when it falls due (an index holds only these)
TASK_WAITS = "done_at IS NULL AND reminded_at IS NULL AND due_at IS NOT NULL"


class Incident(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    key: str = Field(unique=True, max_length=32)
    title: str = Field(max_length=500)
    severity: int
    state: str = Field(default=State.INVESTIGATING.value, max_length=32, index=True)
    tlp: str = Field(max_length=16)
    exercise: bool = False
    summary: str = ""
    opened_at: datetime
    acknowledged_at: datetime | None = None
    contained_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    timeline_seq: int = 0
    timeline_head: str = Field(default=GENESIS_HASH, max_length=64)


class IncidentOrg(SQLModel, table=True):
    """An organisation taking part in an incident (its room may still be on its way)."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    org: str = Field(primary_key=True, max_length=64)
    joined_at: datetime


class RoomLink(SQLModel, table=True):
    __table_args__ = (Index("ix_roomlink_room", "platform", "workspace", "room_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    org: str = Field(max_length=64)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=255)
    room_id: str = Field(max_length=255)
    purpose: str = Field(default="warroom", max_length=16)
    card_message_id: str | None = Field(default=None, max_length=255)
    topic: str = ""
    created_at: datetime

    @property
    def room(self) -> RoomRef:
        return RoomRef(self.platform, self.workspace, self.room_id)


class Participant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("incident_id", "platform", "workspace", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=255)
    user_id: str = Field(max_length=255)
    display: str = Field(default="", max_length=255)
    org: str = Field(max_length=64)
    joined_at: datetime


class RoleAssignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    role: str = Field(max_length=32)
    scope_org: str = Field(default="", max_length=64)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=255)
    user_id: str = Field(max_length=255)
    display: str = Field(default="", max_length=255)
    org: str = Field(max_length=64)
    assigned_at: datetime
    released_at: datetime | None = None
    assigned_by: str = Field(default="", max_length=255)


class TimelineEntry(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("incident_id", "seq"),
        Index("ix_timeline_source", "incident_id", "source_event_id"),
        Index("ix_timeline_kind", "incident_id", "kind", "seq"),  # edits, a view's last update
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    seq: int
    at: datetime
    kind: str = Field(max_length=32)
    actor_platform: str = Field(max_length=16)
    actor_workspace: str = Field(default="", max_length=255)
    actor_user_id: str = Field(max_length=255)
    actor_display: str = Field(default="", max_length=255)
    actor_org: str = Field(max_length=64)
    text: str
    tlp: str = Field(max_length=16)
    source_event_id: str = Field(default="", max_length=255)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # what the bot itself said, as a catalog phrase (JSON), so each reader gets it in their
    # language; `text` keeps the English. "" for what people said.
    phrase: str = ""
    # which canonical form the hash covers (storage/chain.py): 1 for entries older than
    # checkpoints, 2 (the actor's display name too) for every entry appended since
    hash_version: int = 1


class RelayCopy(SQLModel, table=True):
    """A relayed copy of a message in another org's room, so edits and deletions follow."""

    __table_args__ = (Index("ix_relaycopy_source", "source_platform", "source_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    source_platform: str = Field(max_length=16)
    source_workspace: str = Field(max_length=255)
    source_room_id: str = Field(max_length=255)
    source_message_id: str = Field(max_length=255)
    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=255)
    room_id: str = Field(max_length=255)
    org: str = Field(max_length=64)
    message_id: str = Field(max_length=255)
    created_at: datetime

    @property
    def room(self) -> RoomRef:
        return RoomRef(self.platform, self.workspace, self.room_id)

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.room, self.message_id)

    @property
    def source(self) -> MessageRef:
        return MessageRef(
            RoomRef(self.source_platform, self.source_workspace, self.source_room_id),
            self.source_message_id,
        )


class ProcessedEvent(SQLModel, table=True):
    platform: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=255)
    at: datetime


class Outbox(SQLModel, table=True):
    __table_args__ = (Index("ix_outbox_due", "done_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int | None = Field(default=None, foreign_key="incident.id")
    platform: str = Field(max_length=16)
    action: str = Field(max_length=32)
    payload: str
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    done_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str = ""


class Counter(SQLModel, table=True):
    """A number handed out one at a time (row `incident`: the last incident number)."""

    name: str = Field(primary_key=True, max_length=32)
    value: int = 0


class BotState(SQLModel, table=True):
    """Small durable values adapters keep between restarts (sync tokens, device ids)."""

    key: str = Field(primary_key=True, max_length=255)
    value: str


class ReminderState(SQLModel, table=True):
    """Where an incident's status reminders stand. The scheduler's jobs only wake us up;
    this row says which reminder and escalation were already sent, so none goes twice."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    anchor_at: datetime | None = None  # the update (or opening, or sev change) slots count from
    reminded_slot: int = 0
    escalated_slot: int = 0
    reminded_at: datetime | None = None
    next_due_at: datetime | None = Field(default=None, index=True)
    plan_version: int = 1  # bumped by any process that changes what the plan depends on
    scheduled_version: int = 0  # the version the leader's scheduler has planned


class DigestCursor(SQLModel, table=True):
    """How far each organisation's digest room has been told about an incident."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    org: str = Field(primary_key=True, max_length=64)
    last_seq: int = 0
    last_state: str = Field(default="", max_length=32)
    digested_at: datetime


class Inbox(SQLModel, table=True):
    """Every inbound event, stored before the platform gets its ack and processed from here,
    so a crash loses nothing acknowledged. `payload` is the neutral event as JSON."""

    __table_args__ = (
        UniqueConstraint("platform", "event_id"),
        Index("ix_inbox_pending", "processed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=255)
    kind: str = Field(max_length=32)
    payload: str
    received_at: datetime
    processed_at: datetime | None = None


class Installation(SQLModel, table=True):
    """A workspace that installed warroom through its platform's OAuth flow (Slack's). Only
    `sealed` holds credentials, encrypted by the adapter, so no token is readable here; the
    other columns are for the people who run warroom to read."""

    platform: str = Field(primary_key=True, max_length=16)
    workspace: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=255)
    installed_by: str = Field(default="", max_length=64)
    installed_at: datetime
    sealed: str


class InstallState(SQLModel, table=True):
    """An install in progress: the OAuth `state` its browser carries, good once until then."""

    state: str = Field(primary_key=True, max_length=128)
    platform: str = Field(max_length=16)
    expires_at: datetime


class Task(SQLModel, table=True):
    """A task of an incident, numbered within it. Its text follows the disclosure rule like
    a timeline entry's: `tlp` its effective marking when added, `said_org` who added it. An
    owner is a person or a role (`liaison` with its org in `owner_scope_org`); a role's task
    follows the role. `reminded_at` marks the one reminder a due task gets."""

    __table_args__ = (
        UniqueConstraint("incident_id", "number"),
        UniqueConstraint("incident_id", "playbook", "step"),
        # the tasks still to be reminded, by when they fall due: the next one of an incident
        Index(
            "ix_task_waiting",
            "incident_id",
            "due_at",
            sqlite_where=text(TASK_WAITS),
            postgresql_where=text(TASK_WAITS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    number: int
    text: str
    tlp: str = Field(max_length=16)
    said_org: str = Field(max_length=64)
    owner_kind: str = Field(default="", max_length=8)
    owner_role: str = Field(default="", max_length=32)
    owner_scope_org: str = Field(default="", max_length=64)
    owner_platform: str = Field(default="", max_length=16)
    owner_workspace: str = Field(default="", max_length=255)
    owner_user_id: str = Field(default="", max_length=255)
    owner_display: str = Field(default="", max_length=255)
    due_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str = Field(default="", max_length=255)
    done_by_display: str = Field(default="", max_length=255)
    reminded_at: datetime | None = None
    playbook: str = Field(default="", max_length=64)
    step: int | None = None  # the task's place in its playbook: applied twice, added once
    created_at: datetime
    created_by: str = Field(default="", max_length=255)


class PlaybookRun(SQLModel, table=True):
    """A playbook applied to an incident; its `after` tasks appear at later state changes."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    playbook: str = Field(primary_key=True, max_length=64)
    applied_at: datetime
    applied_by: str = Field(default="", max_length=255)
    applied_org: str = Field(default="", max_length=64)  # who its tasks are said by


class ChecklistPost(SQLModel, table=True):
    """The checklist message kept current in a war room, and what it last showed."""

    room_link_id: int = Field(foreign_key="roomlink.id", primary_key=True)
    message_id: str = Field(max_length=255)
    shown_hash: str = Field(default="", max_length=64)
    posted_at: datetime


class Review(SQLModel, table=True):
    """The post-incident review of an incident: a draft until the commander or deputy marks
    it final. Its content is built from the timeline each time it is shown."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    drafted_at: datetime
    drafted_by: str = Field(default="", max_length=255)
    final_at: datetime | None = None
    final_by: str = Field(default="", max_length=255)
    final_by_display: str = Field(default="", max_length=255)


class Lesson(SQLModel, table=True):
    """A lesson of a review (`kind`: good or improve), numbered within the incident. Its
    text follows the disclosure rule like a message: `tlp` its effective marking, `said_org`
    the organisation of who said it."""

    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    number: int
    kind: str = Field(max_length=8)
    text: str
    tlp: str = Field(max_length=16)
    said_org: str = Field(max_length=64)
    said_by: str = Field(default="", max_length=255)
    said_by_display: str = Field(default="", max_length=255)
    said_at: datetime


class Followup(SQLModel, table=True):
    """An action item of an incident, numbered within it; it outlives `close`. The owner is
    a person, pinned when it is added (a role's holder then: roles end with the incident),
    with the organisation whose digest room hears its reminder. `owner_as` is the role it
    was given to, if any. `reminded_at` marks the one reminder a due follow-up gets."""

    __table_args__ = (
        UniqueConstraint("incident_id", "number"),
        Index("ix_followup_due", "reminded_at", "done_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    number: int
    text: str
    tlp: str = Field(max_length=16)
    said_org: str = Field(max_length=64)
    owner_platform: str = Field(max_length=16)
    owner_workspace: str = Field(max_length=255)
    owner_user_id: str = Field(max_length=255)
    owner_display: str = Field(default="", max_length=255)
    owner_org: str = Field(max_length=64)
    owner_as: str = Field(default="", max_length=96)
    due_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str = Field(default="", max_length=255)
    done_by_display: str = Field(default="", max_length=255)
    reminded_at: datetime | None = None
    created_at: datetime
    created_by: str = Field(default="", max_length=255)


class Observable(SQLModel, table=True):
    """An indicator found in (or added to) an incident. Who may see it is decided per
    reader from its sightings, each the timeline entry it was said in; `tlp` is the least
    restrictive of theirs (what decides how far it may be shared), `tlp_floor` a level set
    with `ioc tlp` below which it is never shared. `told_orgs`: the organisations whose
    rooms were told it was seen in other incidents, space-separated."""

    __table_args__ = (
        UniqueConstraint("incident_id", "type", "value"),
        # extraction asks by value: which the incident holds, which other incidents hold
        Index("ix_observable_by_value", "value", "incident_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    type: str = Field(max_length=16)
    value: str = Field(max_length=2048)
    first_seq: int
    last_seq: int
    times_seen: int = 1
    first_seen_at: datetime
    last_seen_at: datetime
    source_org: str = Field(max_length=64)
    tlp: str = Field(max_length=16)
    tlp_floor: str = Field(default="", max_length=16)
    pap: str = Field(default="AMBER", max_length=16)
    status: str = Field(default="active", max_length=16)
    note: str = ""
    told_orgs: str = ""


class ObservableSighting(SQLModel, table=True):
    """One timeline entry an observable was said in: the reader's view follows the entry."""

    __table_args__ = (Index("ix_observablesighting_incident_seq", "incident_id", "seq"),)

    observable_id: int = Field(foreign_key="observable.id", primary_key=True)
    seq: int = Field(primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    org: str = Field(max_length=64)
    tlp: str = Field(max_length=16)
    at: datetime


class IntelCursor(SQLModel, table=True):
    """How far an incident's timeline has been scanned for observables: extraction runs
    after the answer, and resumes from here after a crash."""

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    scanned_seq: int = 0


class ExerciseRun(SQLModel, table=True):
    """A tabletop exercise run in an incident: its scenario, which organisation plays which
    part (`parts`, JSON `{part: org}`), its speed, and who facilitates it. `next_at` is the
    next moment something falls due in it (an inject, a window closing): the one scheduler
    job wakes at the earliest of them."""

    __table_args__ = (Index("ix_exerciserun_next", "ended_at", "paused_at", "next_at"),)

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    scenario: str = Field(max_length=64)
    script: str  # the scenario file as it was at the start: a run never changes under way
    parts: str
    speed: float = 1.0
    started_at: datetime
    paused_at: datetime | None = None
    ended_at: datetime | None = None
    hotwash_at: datetime | None = None
    next_at: datetime | None = None
    facilitator_platform: str = Field(max_length=16)
    facilitator_workspace: str = Field(max_length=255)
    facilitator_user_id: str = Field(max_length=255)
    facilitator_display: str = Field(default="", max_length=255)
    facilitator_org: str = Field(max_length=64)


class ExerciseInject(SQLModel, table=True):
    """One inject of a run: `due_at` None while it waits on an expectation's outcome;
    `state` waiting, sent or dropped (its outcome did not happen, or the run ended)."""

    __table_args__ = (UniqueConstraint("incident_id", "inject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    inject_id: str = Field(max_length=32)
    due_at: datetime | None = None
    sent_at: datetime | None = None
    state: str = Field(default="waiting", max_length=8)


class ExerciseExpectation(SQLModel, table=True):
    """One expectation of a run: its window (open once its inject is sent), and its outcome
    (`met` None until decided), with who met it and when."""

    __table_args__ = (UniqueConstraint("incident_id", "expectation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    expectation_id: str = Field(max_length=32)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    met: bool | None = None
    decided_at: datetime | None = None
    actor: str = Field(default="", max_length=255)
    actor_org: str = Field(default="", max_length=64)


class SearchEntry(SQLModel, table=True):
    """One searchable text of an incident: its title (kind `opened`) or a timeline entry that
    carries someone's words. Its words are indexed beside it (storage/search.py: FTS5 on
    SQLite, a tsvector on PostgreSQL); `org` and `tlp` (a `Tlp` value, after edits) let a
    search leave out in SQL what the disclosure rule would withhold. `follows` is the entry
    whose edits set its TLP: its own seq, or for a highlight the one it highlights."""

    __table_args__ = (
        UniqueConstraint("incident_id", "seq"),
        Index("ix_searchentry_follows", "incident_id", "follows"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    seq: int
    follows: int
    kind: str = Field(max_length=32)
    org: str = Field(max_length=64)
    tlp: int
    at: datetime


class WebSignIn(SQLModel):
    """Who a dashboard link or session is for, and from when to when (not a table)."""

    platform: str = Field(max_length=16)
    workspace: str = Field(max_length=255)
    user_id: str = Field(max_length=255)
    display: str = Field(default="", max_length=255)
    org: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime


class WebLogin(WebSignIn, table=True):
    """A one-time dashboard link: only the SHA-256 of its token is kept. `used_at` is set the
    one time it is redeemed; after `expires_at` it opens nothing."""

    token_hash: str = Field(primary_key=True, max_length=64)
    used_at: datetime | None = None


class WebSession(WebSignIn, table=True):
    """A signed-in browser: the SHA-256 of its cookie, who it is, and the token its forms
    carry against cross-site requests. `ended_at` is set when it is signed out."""

    __table_args__ = (Index("ix_websession_org", "org", "ended_at"),)

    token_hash: str = Field(primary_key=True, max_length=64)
    csrf: str = Field(max_length=64)
    ended_at: datetime | None = None


# The dashboard lists one organisation's incidents: found by org, not by incident.
Index("ix_incidentorg_org", IncidentOrg.org, IncidentOrg.incident_id)  # type: ignore[arg-type]


class Checkpoint(SQLModel, table=True):
    """A signed statement of an incident's chain head (bot/domain/checkpoint.py), as made;
    copies live in every linked room, out of the operator's reach."""

    __table_args__ = (Index("ix_checkpoint_incident", "incident_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    incident_key: str = Field(max_length=32)
    seq: int
    head: str = Field(max_length=64)
    at: datetime
    key_fingerprint: str = Field(max_length=64)
    statement: str  # the canonical JSON that was signed
    signature: str = Field(max_length=128)
