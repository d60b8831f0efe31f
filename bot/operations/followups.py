"""Follow-up operations, inside one unit of work: action items that outlive the incident.

An owner is pinned when the follow-up is added: a role names whoever holds it then, since
the incident's roles end with it. Each change is a timeline entry; like a task's, only the
entry that adds a follow-up carries its text, and later ones name it by number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.events import Actor, UserRef
from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.tasks import Owner, OwnerKind
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind, State
from warroom.bot.operations import due_times, incidents
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.storage.models import Followup, Incident, RoleAssignment
from warroom.storage.store import UnitOfWork


class Listed(Protocol):
    """What a view reads of a follow-up: a stored one, or one read as a plain row."""

    @property
    def incident_id(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def tlp(self) -> str: ...
    @property
    def said_org(self) -> str: ...
    @property
    def owner_platform(self) -> str: ...
    @property
    def owner_workspace(self) -> str: ...
    @property
    def owner_user_id(self) -> str: ...
    @property
    def owner_display(self) -> str: ...
    @property
    def owner_org(self) -> str: ...
    @property
    def owner_as(self) -> str: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def done_at(self) -> datetime | None: ...
    @property
    def done_by(self) -> str: ...
    @property
    def done_by_display(self) -> str: ...


@dataclass(frozen=True)
class Pinned:
    """The person a follow-up belongs to, their organisation, and the role they were given
    it as (`commander`, `liaison:cert`; "" when named in person)."""

    user: UserRef
    org: str
    given_as: str = ""

    @property
    def label(self) -> str:
        name = f"@{self.user.name}"
        return f"{name} ({self.given_as})" if self.given_as else name


def pin(owner: Owner, roles: Iterable[RoleAssignment]) -> Pinned | None:
    """The person `owner` names now: a role's holder; None when nobody holds the role."""
    if owner.kind is OwnerKind.USER and owner.user is not None:
        return Pinned(owner.user, owner.org)
    held = next(
        (r for r in roles if r.role == owner.role and r.scope_org == owner.scope_org), None
    )
    if held is None:
        return None
    user = UserRef(held.platform, held.workspace, held.user_id, held.display)
    return Pinned(user, held.org, owner.label)


def said(followup: Listed) -> Said:
    """The follow-up's text as the disclosure rule reads it."""
    return Said(followup.text, parse_tlp(followup.tlp), followup.said_org)


def owner_of(followup: Listed) -> Pinned:
    user = UserRef(
        followup.owner_platform,
        followup.owner_workspace,
        followup.owner_user_id,
        followup.owner_display,
    )
    return Pinned(user, followup.owner_org, followup.owner_as)


def is_owner(followup: Listed, user: UserRef) -> bool:
    return (followup.owner_platform, followup.owner_workspace, followup.owner_user_id) == (
        user.platform,
        user.workspace,
        user.user_id,
    )


def visible(
    seen: Visibility, followups: Sequence[Followup], reader: str, where: Where
) -> list[tuple[Followup, str]]:
    """The follow-ups `reader`'s organisation may see there, with their text; the others
    are absent."""
    shown = []
    for followup in followups:
        text = seen.show(said(followup), reader, where)
        if text is not None:
            shown.append((followup, text))
    return shown


def add(
    uow: UnitOfWork,
    incident: Incident,
    *,
    actor: Actor,
    text: str,
    owner: Pinned,
    due_at: datetime | None,
    at: datetime,
    event_id: str = "",
    tlp: Tlp | None = None,
) -> Followup:
    """A new follow-up numbered within the incident; its TLP is `tlp` (that of the item it
    comes from), else its own marking, else the incident's. The caller holds the incident
    row locked."""
    assert incident.id is not None
    user = owner.user
    followup = Followup(
        incident_id=incident.id,
        number=uow.followups.next_number(incident.id),
        text=text,
        tlp=(tlp or effective_tlp(text, Tlp.parse(incident.tlp))).label,
        said_org=actor.org,
        owner_platform=user.platform,
        owner_workspace=user.workspace,
        owner_user_id=user.user_id,
        owner_display=user.display,
        owner_org=owner.org,
        owner_as=owner.given_as,
        due_at=due_at,
        created_at=at,
        created_by=actor.user.user_id,
    )
    uow.followups.add(followup)
    joined = uow.participants.ensure(incident.id, user, owner.org, at)
    if joined and incident.state != State.CLOSED:  # archived rooms take no one in
        incidents.invite_to_rooms(uow, incident, user, owner.org, at)
    said_text = (
        phrase(
            "Follow-up #{number} added (owner {owner}, due {when}): {text}",
            number=followup.number,
            owner=owner.label,
            when=due_at,
            text=text,
        )
        if due_at
        else phrase(
            "Follow-up #{number} added (owner {owner}): {text}",
            number=followup.number,
            owner=owner.label,
            text=text,
        )
    )
    _record(uow, incident, followup, actor, said_text, at, event_id)
    return followup


def done(
    uow: UnitOfWork, incident: Incident, followup: Followup, *, actor: Actor, at: datetime
) -> None:
    followup.done_at = at
    followup.done_by = actor.user.user_id
    followup.done_by_display = actor.user.display
    uow.save(followup)
    text = phrase("Follow-up #{number} done", number=followup.number)
    _record(uow, incident, followup, actor, text, at)


def reopen(
    uow: UnitOfWork, incident: Incident, followup: Followup, *, actor: Actor, at: datetime
) -> None:
    followup.done_at = None
    followup.done_by = followup.done_by_display = ""
    followup.reminded_at = None  # open again, it is reminded again when (or if) it is due
    uow.save(followup)
    text = phrase("Follow-up #{number} reopened", number=followup.number)
    _record(uow, incident, followup, actor, text, at)


def set_due(
    uow: UnitOfWork,
    incident: Incident,
    followup: Followup,
    *,
    actor: Actor,
    due_at: datetime,
    at: datetime,
) -> None:
    was = due_times.moved(uow, followup, due_at)
    text = phrase(
        "Follow-up #{number} due {when} (was {was})",
        number=followup.number,
        when=due_at,
        was=was,
    )
    _record(uow, incident, followup, actor, text, at)


def _record(
    uow: UnitOfWork,
    incident: Incident,
    followup: Followup,
    actor: Actor,
    text: Phrase,
    at: datetime,
    event_id: str = "",
) -> None:
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.FOLLOWUP,
        actor=actor,
        text=text,
        source_event_id=event_id,
        tlp=parse_tlp(followup.tlp),  # an entry about a follow-up is as secret as its text
    )
    if followup.due_at is not None and followup.reminded_at is None and incident.id is not None:
        uow.reminders.touch(incident.id)  # the leader re-plans: the due follow-up job moves
