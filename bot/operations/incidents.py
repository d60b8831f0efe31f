"""Incident operations: synchronous functions run inside one unit of work.

They change state, append to the timeline and queue what must be said on the platforms
(outbox); they never talk to a platform themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from slugify import slugify

from warroom.bot.domain.disclosure import effective_tlp
from warroom.bot.domain.events import Actor, RoomRef, UserRef
from warroom.bot.domain.language import ENGLISH, Phrase, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import CONTAINED_STATES, DONE_STATES, EntryKind, Role, State
from warroom.bot.operations.effects import Archive, CreateRoom, Invite, Post, SyncRooms, queue
from warroom.storage.models import Incident, RoleAssignment, RoomLink
from warroom.storage.store import UnitOfWork
from warroom.storage.timeline import ToAppend

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
    kind: EntryKind,
    actor: Actor,
    text: str | Phrase,
    source_event_id: str = "",
    tlp: Tlp | None = None,
) -> int:
    """Append a timeline entry marked with the text's TLP, else the incident's (or `tlp`,
    for what is said at another's: a highlight, a setting every card shows); its seq.

    What the bot says itself is a phrase: stored in English as the entry's text, and kept
    as a phrase so each reader's view says it in their language."""
    said = _said(incident, kind, text, tlp, source_event_id)
    entry = uow.timeline.append(
        incident,
        at=at,
        kind=kind,
        actor=actor,
        text=said.text,
        tlp=said.tlp,
        source_event_id=source_event_id,
        phrase=said.phrase,
    )
    return entry.seq


def record_many(
    uow: UnitOfWork,
    said: Sequence[tuple[Incident, EntryKind, Phrase]],
    *,
    at: datetime,
    actor: Actor,
) -> None:
    """`record` for what the bot says in many incidents at once (a burst of reminders):
    the entries are written together."""
    entries = [_said(incident, kind, text) for incident, kind, text in said]
    uow.timeline.append_many(entries, at=at, actor=actor)


def _said(
    incident: Incident,
    kind: EntryKind,
    text: str | Phrase,
    tlp: Tlp | None = None,
    source_event_id: str = "",
) -> ToAppend:
    """The entry `record` appends: a phrase stored in English and kept as a phrase, marked
    with the text's TLP, else the incident's (unless `tlp` is given)."""
    phrase = ""
    if isinstance(text, Phrase):
        phrase, text = text.to_json(), text.say(ENGLISH)
    if tlp is None:
        tlp = effective_tlp(text, Tlp.parse(incident.tlp))
    return ToAppend(incident, kind, text, tlp.label, phrase, source_event_id)


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
    values = {"title": title, "severity": severity, "tlp": tlp.label}
    opened = (
        phrase("Opened [EXERCISE]: {title} (SEV{severity}, TLP:{tlp})", **values)
        if exercise
        else phrase("Opened: {title} (SEV{severity}, TLP:{tlp})", **values)
    )
    record(
        uow,
        incident,
        at=at,
        kind=EntryKind.OPENED,
        actor=actor,
        source_event_id=event_id,
        text=opened,
    )
    assign_role(
        uow, incident, role=Role.COMMANDER, user=actor.user, user_org=actor.org, by=BOT, at=at
    )
    open_room(
        uow, incident, org=actor.org, platform=origin.platform, workspace=origin.workspace, at=at
    )
    return incident


def open_room(
    uow: UnitOfWork, incident: Incident, *, org: str, platform: str, workspace: str, at: datetime
) -> None:
    """Queue the war room of `org` on its platform; the outbox creates and links it."""
    effect = CreateRoom(org, workspace)
    queue(uow, effect, at=at, incident_id=incident.id, platform=platform)


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
        uow.save(previous)
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
    was = (previous.display or previous.user_id) if previous else ""
    record(
        uow,
        incident,
        at=at,
        kind=EntryKind.ROLE,
        actor=by,
        text=handed_over(user.name, str(role), scope_org, was),
    )
    if by is not BOT:
        acknowledge(incident, at)
    return previous


def handed_over(who: str, role: str, scope_org: str, was: str) -> Phrase:
    """`bob is now liaison for cert (was carl)`: a role given, and whom it was taken from."""
    if scope_org and was:
        return phrase(
            "{who} is now {role} for {org} (was {was})", who=who, role=role, org=scope_org, was=was
        )
    if scope_org:
        return phrase("{who} is now {role} for {org}", who=who, role=role, org=scope_org)
    if was:
        return phrase("{who} is now {role} (was {was})", who=who, role=role, was=was)
    return phrase("{who} is now {role}", who=who, role=role)


def invite_to_rooms(
    uow: UnitOfWork, incident: Incident, user: UserRef, org: str, at: datetime
) -> None:
    """Queue an invitation for `user` to the war rooms of their org on their platform."""
    assert incident.id is not None
    for link in uow.rooms.for_incident(incident.id):
        if link.org == org and link.platform == user.platform:
            queue(uow, Invite(link.room, (user,)), at=at, incident_id=incident.id)


def acknowledge(incident: Incident, at: datetime) -> None:
    if incident.acknowledged_at is None:
        incident.acknowledged_at = at


def set_state(incident: Incident, state: str, at: datetime) -> None:
    incident.state = state
    if state in CONTAINED_STATES and not incident.contained_at:
        incident.contained_at = at
    if state in DONE_STATES and not incident.resolved_at:
        incident.resolved_at = at
    if state == State.CLOSED:
        incident.closed_at = at
    if state in (State.INVESTIGATING, State.IDENTIFIED):
        incident.resolved_at = None


def refresh_rooms(uow: UnitOfWork, incident: Incident, at: datetime) -> None:
    """Queue a card and topic refresh for every room of the incident."""
    assert incident.id is not None
    queue(uow, SyncRooms(), at=at, incident_id=incident.id)


def announce(
    uow: UnitOfWork,
    incident: Incident,
    message: Message | Callable[[RoomLink], Message | None],
    at: datetime,
    *,
    exclude: RoomRef | None = None,
) -> None:
    """Queue a message to every war room of the incident but `exclude` (where the command
    was typed and answered directly). A message with timeline text in it is composed for
    each room, as the room's organisation may see it; None says nothing there."""
    assert incident.id is not None
    for link in uow.rooms.for_incident(incident.id):
        said = message(link) if callable(message) else message
        if link.room != exclude and said is not None:
            queue(uow, Post(link.room, said), at=at, incident_id=incident.id)


def archive_rooms(uow: UnitOfWork, incident: Incident, at: datetime) -> None:
    assert incident.id is not None
    for link in uow.rooms.for_incident(incident.id):
        queue(uow, Archive(link.room), at=at, incident_id=incident.id)
