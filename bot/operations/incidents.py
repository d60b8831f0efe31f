"""Incident operations: synchronous functions run inside one unit of work.

They change state, append to the timeline and queue what must be said on the platforms
(outbox); they never talk to a platform themselves.
"""

from __future__ import annotations

from datetime import datetime

from slugify import slugify

from warroom.bot.domain.events import Actor, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp, marking_in
from warroom.bot.runtime import outbox
from warroom.storage.models import Incident, RoleAssignment
from warroom.storage.store import UnitOfWork

BOT = Actor(UserRef("warroom", "", "warroom", "warroom"), "")
ROOM_NAME_LIMIT = 80


def room_name(key: str, title: str) -> str:
    """`inc-42-customer-db-credentials-leaked`, lowercase, within Slack's 80 characters."""
    prefix = key.lower()
    slug = slugify(title, max_length=ROOM_NAME_LIMIT - len(prefix) - 1, word_boundary=True)
    return f"{prefix}-{slug}" if slug else prefix


def record(
    uow: UnitOfWork,
    incident: Incident,
    *,
    at: datetime,
    kind: str,
    actor: Actor,
    text: str,
    source_event_id: str = "",
) -> int:
    """Append a timeline entry marked with the text's TLP, else the incident's; its seq."""
    marking = marking_in(text)
    tlp = incident.tlp if marking is None else marking.label
    entry = uow.timeline.append(
        incident,
        at=at,
        kind=kind,
        actor=actor,
        text=text,
        tlp=tlp,
        source_event_id=source_event_id,
    )
    return entry.seq


def open_incident(
    uow: UnitOfWork,
    *,
    actor: Actor,
    origin: RoomRef,
    title: str,
    severity: int,
    tlp: Tlp,
    exercise: bool,
    at: datetime,
    event_id: str,
) -> Incident:
    number = uow.incidents.next_number()
    incident = uow.incidents.add(
        Incident(
            number=number,
            key=f"INC-{number}",
            title=title,
            severity=severity,
            tlp=tlp.label,
            exercise=exercise,
            opened_at=at,
        )
    )
    assert incident.id is not None
    uow.incidents.add_org(incident.id, actor.org, at)
    uow.participants.ensure(incident.id, actor.user, actor.org, at)
    drill = " [EXERCISE]" if exercise else ""
    record(
        uow,
        incident,
        at=at,
        kind="opened",
        actor=actor,
        source_event_id=event_id,
        text=f"Opened{drill}: {title} (SEV{severity}, TLP:{tlp.label})",
    )
    assign_role(
        uow, incident, role="commander", user=actor.user, user_org=actor.org, by=BOT, at=at
    )
    outbox.enqueue(
        uow,
        "create_room",
        incident_id=incident.id,
        platform=origin.platform,
        at=at,
        payload={"org": actor.org, "workspace": origin.workspace},
    )
    return incident


def assign_role(
    uow: UnitOfWork,
    incident: Incident,
    *,
    role: str,
    user: UserRef,
    user_org: str,
    by: Actor,
    at: datetime,
    scope_org: str = "",
) -> RoleAssignment | None:
    """Give `role` to `user`, releasing whoever held it: handovers stay in the history.
    Returns the released assignment, if any."""
    assert incident.id is not None
    previous = uow.roles.holder(incident.id, role, scope_org)
    if previous is not None:
        if (previous.platform, previous.workspace, previous.user_id) == (
            user.platform,
            user.workspace,
            user.user_id,
        ):
            return None
        previous.released_at = at
        uow.session.add(previous)
    uow.roles.add(
        RoleAssignment(
            incident_id=incident.id,
            role=role,
            scope_org=scope_org,
            platform=user.platform,
            workspace=user.workspace,
            user_id=user.user_id,
            display=user.display,
            org=user_org,
            assigned_at=at,
            assigned_by=by.user.user_id,
        )
    )
    if uow.participants.ensure(incident.id, user, user_org, at):
        invite_to_rooms(uow, incident, user, user_org, at)
    label = f"{role} for {scope_org}" if scope_org else role
    handover = f" (was {previous.display or previous.user_id})" if previous else ""
    record(
        uow, incident, at=at, kind="role", actor=by, text=f"{user.name} is now {label}{handover}"
    )
    if by is not BOT:
        acknowledge(incident, at)
    return previous


def invite_to_rooms(
    uow: UnitOfWork, incident: Incident, user: UserRef, org: str, at: datetime
) -> None:
    """Queue an invitation for `user` to the war rooms of their org on their platform."""
    assert incident.id is not None
    for link in uow.rooms.for_incident(incident.id):
        if link.org == org and link.platform == user.platform:
            room = RoomRef(link.platform, link.workspace, link.room_id)
            outbox.enqueue(
                uow,
                "invite",
                platform=room.platform,
                at=at,
                incident_id=incident.id,
                payload={"room": outbox.room_dict(room), "users": [user.__dict__]},
            )


def acknowledge(incident: Incident, at: datetime) -> None:
    if incident.acknowledged_at is None:
        incident.acknowledged_at = at


def set_state(incident: Incident, state: str, at: datetime) -> None:
    incident.state = state
    if state in ("contained", "monitoring", "resolved", "closed") and not incident.contained_at:
        incident.contained_at = at
    if state in ("resolved", "closed") and not incident.resolved_at:
        incident.resolved_at = at
    if state == "closed":
        incident.closed_at = at
    if state in ("investigating", "identified"):
        incident.resolved_at = None


def refresh_rooms(uow: UnitOfWork, incident: Incident, at: datetime) -> None:
    """Queue a card and topic refresh for every room of the incident."""
    assert incident.id is not None
    outbox.enqueue(uow, "sync_rooms", incident_id=incident.id, platform="*", at=at, payload={})


def announce(
    uow: UnitOfWork,
    incident: Incident,
    message: Message,
    at: datetime,
    *,
    exclude: RoomRef | None = None,
) -> None:
    """Queue a message to every war room of the incident but `exclude` (where the command
    was typed and answered directly)."""
    assert incident.id is not None
    for link in uow.rooms.for_incident(incident.id):
        room = RoomRef(link.platform, link.workspace, link.room_id)
        if room != exclude:
            outbox.enqueue_post(uow, room, message, incident_id=incident.id, at=at)


def archive_rooms(uow: UnitOfWork, incident: Incident, at: datetime) -> None:
    assert incident.id is not None
    for link in uow.rooms.for_incident(incident.id):
        room = RoomRef(link.platform, link.workspace, link.room_id)
        outbox.enqueue(
            uow,
            "archive",
            platform=room.platform,
            at=at,
            incident_id=incident.id,
            payload={"room": outbox.room_dict(room)},
        )
