"""Repositories: the only code that builds queries. One small class per table family."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from warroom.bot.domain.events import RoomRef, UserRef
from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.storage.models import (
    BotState,
    Counter,
    Incident,
    IncidentOrg,
    Outbox,
    Participant,
    ProcessedEvent,
    RelayCopy,
    RoleAssignment,
    RoomLink,
)
from warroom.storage.row_insert import RowInsert

# The hottest lookups are built once: statement construction costs more than running them.
_BY_ROOM = (
    select(Incident)
    .join(RoomLink, col(RoomLink.incident_id) == col(Incident.id))
    .where(
        col(RoomLink.platform) == bindparam("platform"),
        col(RoomLink.workspace) == bindparam("workspace"),
        col(RoomLink.room_id) == bindparam("room_id"),
        col(RoomLink.purpose) == "warroom",
    )
)
_BY_ROOM_LOCKED = _BY_ROOM.with_for_update(of=Incident)
_BY_KEY = select(Incident).where(col(Incident.key) == bindparam("key"))
_BY_KEY_LOCKED = _BY_KEY.with_for_update()
_ROLES_HELD = select(RoleAssignment.role).where(
    col(RoleAssignment.incident_id) == bindparam("incident_id"),
    col(RoleAssignment.platform) == bindparam("platform"),
    col(RoleAssignment.workspace) == bindparam("workspace"),
    col(RoleAssignment.user_id) == bindparam("user_id"),
    col(RoleAssignment.released_at).is_(None),
)
_PARTICIPANT = select(Participant).where(
    col(Participant.incident_id) == bindparam("incident_id"),
    col(Participant.platform) == bindparam("platform"),
    col(Participant.workspace) == bindparam("workspace"),
    col(Participant.user_id) == bindparam("user_id"),
)

_ROOMS = (
    select(RoomLink)
    .where(
        col(RoomLink.incident_id) == bindparam("incident_id"),
        col(RoomLink.purpose) == bindparam("purpose"),
    )
    .order_by(col(RoomLink.id))
)
_ROOM_ORGS = select(col(RoomLink.org)).where(
    col(RoomLink.incident_id) == bindparam("incident_id"), col(RoomLink.purpose) == "warroom"
)
_WARROOM_AT = (
    select(RoomLink.org, Incident.exercise)
    .join(Incident, col(Incident.id) == col(RoomLink.incident_id))
    .where(
        col(RoomLink.platform) == bindparam("platform"),
        col(RoomLink.workspace) == bindparam("workspace"),
        col(RoomLink.room_id) == bindparam("room_id"),
        col(RoomLink.purpose) == "warroom",
    )
)
_LIVE_WARROOMS = (
    sa_select(
        col(RoomLink.platform),
        col(RoomLink.workspace),
        col(RoomLink.room_id),
        col(RoomLink.org),
        col(Incident.exercise),
    )
    .join(Incident, col(Incident.id) == col(RoomLink.incident_id))
    .where(
        col(RoomLink.purpose) == "warroom",
        or_(col(Incident.closed_at).is_(None), col(Incident.exercise)),
    )
)
_ORGS = (
    select(IncidentOrg.org)
    .where(col(IncidentOrg.incident_id) == bindparam("incident_id"))
    .order_by(col(IncidentOrg.joined_at))
)
_CURRENT_ROLES = (
    select(RoleAssignment)
    .where(
        col(RoleAssignment.incident_id) == bindparam("incident_id"),
        col(RoleAssignment.released_at).is_(None),
    )
    .order_by(col(RoleAssignment.id))
)
_PARTICIPANTS = (
    select(Participant)
    .where(col(Participant.incident_id) == bindparam("incident_id"))
    .order_by(col(Participant.id))
)

_CLAIM = {
    "postgresql": pg_insert(ProcessedEvent)
    .on_conflict_do_nothing()
    .returning(col(ProcessedEvent.event_id)),
    "sqlite": sqlite_insert(ProcessedEvent)
    .on_conflict_do_nothing()
    .returning(col(ProcessedEvent.event_id)),
}

# An outbox item is written at once, in the order queued: what delivers it reads the
# object it was made from.
_QUEUE = RowInsert(Outbox)

# One atomic increment: on PostgreSQL the row stays locked until commit, so concurrent
# openers queue and a rolled-back opening gives its number back.
_NEXT_INCIDENT = (
    update(Counter)
    .where(col(Counter.name) == "incident")
    .values(value=col(Counter.value) + 1)
    .returning(col(Counter.value))
)
_SEED_COUNTER = {
    "postgresql": pg_insert(Counter).on_conflict_do_nothing(),
    "sqlite": sqlite_insert(Counter).on_conflict_do_nothing(),
}

_MARK_DONE = (
    update(Outbox)
    .where(col(Outbox.id).in_(bindparam("items", expanding=True)))
    .values(done_at=bindparam("at"))
)


def _user_params(incident_id: int, user: UserRef) -> dict[str, object]:
    return {
        "incident_id": incident_id,
        "platform": user.platform,
        "workspace": user.workspace,
        "user_id": user.user_id,
    }


class IncidentRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self) -> int:
        """The next incident number, from the database's counter: safe across processes."""
        connection = self.session.connection()
        number = connection.execute(_NEXT_INCIDENT).scalar()
        if number is None:  # no counter row (the migrations seed it): start after the highest
            highest = self.session.exec(select(func.max(Incident.number))).one() or 0
            seed = _SEED_COUNTER[connection.dialect.name]
            connection.execute(seed, {"name": "incident", "value": highest})
            number = connection.execute(_NEXT_INCIDENT).scalar_one()
        return int(number)

    def add(self, incident: Incident) -> Incident:
        self.session.add(incident)
        self.session.flush()
        return incident

    def get(self, incident_id: int, *, for_update: bool = False) -> Incident | None:
        """By id; one already read in this unit of work is not read again (unless locked)."""
        return self.session.get(Incident, incident_id, with_for_update=for_update or None)

    def by_key(self, key: str, *, for_update: bool = False) -> Incident | None:
        query = _BY_KEY_LOCKED if for_update else _BY_KEY
        return self.session.exec(query, params={"key": key.upper()}).first()

    def by_room(self, room: RoomRef, *, for_update: bool = False) -> Incident | None:
        query = _BY_ROOM_LOCKED if for_update else _BY_ROOM
        params = {"platform": room.platform, "workspace": room.workspace, "room_id": room.room_id}
        return self.session.exec(query, params=params).first()

    def add_org(self, incident_id: int, org: str, at: datetime) -> bool:
        """Bring an organisation into the incident; False if it already takes part."""
        if self.session.get(IncidentOrg, (incident_id, org)) is not None:
            return False
        self.session.add(IncidentOrg(incident_id=incident_id, org=org, joined_at=at))
        self.session.flush()
        return True

    def orgs(self, incident_id: int) -> list[str]:
        rows = self.session.connection().execute(_ORGS, {"incident_id": incident_id})
        return [row[0] for row in rows]

    def linked_to_org(self, org: str, *, include_closed: bool = False) -> Sequence[Incident]:
        query = (
            select(Incident)
            .join(IncidentOrg, col(IncidentOrg.incident_id) == col(Incident.id))
            .where(IncidentOrg.org == org)
            .order_by(col(Incident.number))
        )
        if not include_closed:
            query = query.where(col(Incident.state).notin_(DONE_STATES))
        return self.session.exec(query).all()

    def all(self) -> Sequence[Incident]:
        return self.session.exec(select(Incident).order_by(col(Incident.number))).all()


class RoomRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, link: RoomLink) -> RoomLink:
        self.session.add(link)
        self.session.flush()
        return link

    def orgs_of(self, incident_id: int) -> list[str]:
        """The organisation of each of the incident's war rooms (one per room)."""
        rows = self.session.connection().execute(_ROOM_ORGS, {"incident_id": incident_id})
        return [org for (org,) in rows]

    def for_incident(self, incident_id: int, purpose: str = "warroom") -> Sequence[RoomLink]:
        params = {"incident_id": incident_id, "purpose": purpose}
        return self.session.exec(_ROOMS, params=params).all()

    def get(self, link_id: int) -> RoomLink | None:
        return self.session.get(RoomLink, link_id)

    def live_warrooms(self) -> list[tuple[RoomRef, str, bool]]:
        """Each war room of an incident not closed, and of every exercise: the room, its
        organisation and whether its incident is an exercise (what `warroom_at` says of
        each, for all at once; a room not among them is no exercise's war room)."""
        rows = self.session.connection().execute(_LIVE_WARROOMS)
        return [
            (RoomRef(platform, workspace, room_id), org, bool(exercise))
            for platform, workspace, room_id, org, exercise in rows
        ]

    def warroom_at(self, room: RoomRef) -> tuple[str, bool] | None:
        """Whose war room `room` is and whether its incident is an exercise; None: no war
        room (a lobby, a digest room)."""
        params = {"platform": room.platform, "workspace": room.workspace, "room_id": room.room_id}
        row = self.session.exec(_WARROOM_AT, params=params).first()
        return None if row is None else (row[0], bool(row[1]))


class ParticipantRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, incident_id: int, user: UserRef) -> Participant | None:
        return self.session.exec(_PARTICIPANT, params=_user_params(incident_id, user)).first()

    def ensure(self, incident_id: int, user: UserRef, org: str, at: datetime) -> bool:
        """Add the user unless already there; True when they were added."""
        if self.find(incident_id, user) is not None:
            return False
        self.session.add(
            Participant(
                incident_id=incident_id,
                platform=user.platform,
                workspace=user.workspace,
                user_id=user.user_id,
                display=user.display,
                org=org,
                joined_at=at,
            )
        )
        self.session.flush()
        return True

    def for_incident(self, incident_id: int) -> Sequence[Participant]:
        return self.session.exec(_PARTICIPANTS, params={"incident_id": incident_id}).all()


class RoleRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current(self, incident_id: int) -> Sequence[RoleAssignment]:
        return self.session.exec(_CURRENT_ROLES, params={"incident_id": incident_id}).all()

    def held_by(self, incident_id: int, user: UserRef) -> set[str]:
        """The roles `user` holds now in the incident."""
        rows = self.session.connection().execute(_ROLES_HELD, _user_params(incident_id, user))
        return {row[0] for row in rows}

    def history(self, incident_id: int) -> Sequence[RoleAssignment]:
        query = select(RoleAssignment).where(RoleAssignment.incident_id == incident_id)
        return self.session.exec(query.order_by(col(RoleAssignment.id))).all()

    def holder(self, incident_id: int, role: str, scope_org: str = "") -> RoleAssignment | None:
        return next(
            (r for r in self.current(incident_id) if r.role == role and r.scope_org == scope_org),
            None,
        )

    def add(self, assignment: RoleAssignment) -> RoleAssignment:
        self.session.add(assignment)
        self.session.flush()
        return assignment


class EventRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, platform: str, event_id: str, at: datetime) -> bool:
        """Record an inbound event id; False when it was handled before. One statement, so
        two replicas racing on the same event cannot both win."""
        connection = self.session.connection()
        statement = _CLAIM[connection.dialect.name]
        values = {"platform": platform, "event_id": event_id, "at": at}
        return connection.execute(statement, values).first() is not None


class OutboxRepo:
    def __init__(self, session: Session, hints: Any, leased: list[Outbox]) -> None:
        self.session = session
        self.hints = hints
        self.leased = leased

    def add(self, item: Outbox) -> Outbox:
        """Queue `item`; where the process delivers what it queues (`hints.lease`), leased to
        it at once, as a claim would, so no other process delivers it meanwhile."""
        lease = self.hints.lease
        if lease is not None:
            item.attempts += 1
            item.next_attempt_at = item.next_attempt_at + lease
        _QUEUE(self.session, item)
        if lease is not None:
            self.leased.append(item)
        else:
            self.hints.outbox = True
        return item

    def due(
        self,
        now: datetime,
        limit: int = 50,
        *,
        actions: Collection[str],
        for_update: bool = False,
    ) -> Sequence[Outbox]:
        """Items due now whose action this process can deliver; others wait for one that can."""
        query = (
            select(Outbox)
            .where(
                col(Outbox.done_at).is_(None),
                col(Outbox.failed_at).is_(None),
                col(Outbox.next_attempt_at) <= now,
                col(Outbox.action).in_(sorted(actions)),
            )
            .order_by(col(Outbox.id))
            .limit(limit)
        )
        if for_update:
            query = query.with_for_update(skip_locked=True)
        return self.session.exec(query).all()

    def waiting(self, incident_id: int, action: str) -> Sequence[Outbox]:
        """Items of `action` not delivered yet (one may be on its way: its delivery checks
        afterwards whether it was changed or withdrawn meanwhile)."""
        query = select(Outbox).where(
            Outbox.incident_id == incident_id,
            Outbox.action == action,
            col(Outbox.done_at).is_(None),
            col(Outbox.failed_at).is_(None),
        )
        return self.session.exec(query.order_by(col(Outbox.id)).with_for_update()).all()

    def withdraw(self, item: Outbox, at: datetime, why: str) -> None:
        """Never deliver `item`: what it carried may no longer go there."""
        item.done_at = at
        item.last_error = f"withdrawn: {why}"
        self.session.add(item)

    def mark_done(self, item_ids: Sequence[int], at: datetime) -> None:
        if item_ids:
            self.session.connection().execute(_MARK_DONE, {"items": list(item_ids), "at": at})

    def get(self, item_id: int) -> Outbox | None:
        return self.session.get(Outbox, item_id)

    def pending_count(self) -> int:
        query = select(func.count()).where(
            col(Outbox.done_at).is_(None), col(Outbox.failed_at).is_(None)
        )
        return int(self.session.exec(query).one())


class StateRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(BotState, key)
        return row.value if row else None

    def set(self, key: str, value: str) -> None:
        row = self.session.get(BotState, key)
        if row is None:
            self.session.add(BotState(key=key, value=value))
        else:
            row.value = value
        self.session.flush()


class RelayRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, copy: RelayCopy) -> None:
        self.session.add(copy)
        self.session.flush()

    def copies_of(self, platform: str, message_id: str) -> Sequence[RelayCopy]:
        query = select(RelayCopy).where(
            RelayCopy.source_platform == platform, RelayCopy.source_message_id == message_id
        )
        return self.session.exec(query.order_by(col(RelayCopy.id))).all()

    def copy_of(self, room: RoomRef, message_id: str) -> RelayCopy | None:
        """The copy whose id in `room` is `message_id`: someone replied to a relayed copy."""
        query = select(RelayCopy).where(
            RelayCopy.platform == room.platform,
            RelayCopy.workspace == room.workspace,
            RelayCopy.room_id == room.room_id,
            RelayCopy.message_id == message_id,
        )
        return self.session.exec(query).first()
