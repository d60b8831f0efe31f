"""Relaying messages between an incident's war rooms under TLP 2.0.

A message said in one organisation's war room is copied to the others, as
`[ACME] alice: text`, when its TLP marking (else the incident's) and the organisations'
sharing agreement allow. Secrets are redacted from copies. Every decision is one timeline
entry; copies are remembered so that edits and deletions of the original follow them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.events import Actor, MessageEdited, MessagePosted, MessageRef, RoomRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.redact import redact
from warroom.bot.domain.sharing import withheld_because
from warroom.bot.domain.tlp import Tlp, marking_in
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents
from warroom.bot.operations.effects import Delete, Edit, RelayCopy, queue
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork


@dataclass
class RelayOutcome:
    relayed_to: list[str] = field(default_factory=list)
    withheld: list[tuple[str, str]] = field(default_factory=list)  # (org, reason)


def message_tlp(text: str, incident: Incident) -> Tlp:
    marking = marking_in(text)
    return Tlp.parse(incident.tlp) if marking is None else marking


def copy_text(actor: Actor, text: str) -> str:
    clean, _ = redact(text)
    return f"[{actor.org.upper()}] {actor.user.name}: {clean}"


def plan_relay(
    uow: UnitOfWork, config: Config, incident: Incident, event: MessagePosted, at: datetime
) -> RelayOutcome:
    """Queue the copies `event` may have and record the decision; in the capture's transaction."""
    assert incident.id is not None
    outcome = RelayOutcome()
    tlp = message_tlp(event.text, incident)
    orgs = uow.incidents.orgs(incident.id)
    source = event.ref
    for link in uow.rooms.for_incident(incident.id):
        room = link.room
        if room == event.room:
            continue
        reason = withheld_because(
            config.sharing, tlp, from_org=event.actor.org, to_org=link.org, incident_orgs=orgs
        )
        if reason:
            outcome.withheld.append((link.org, reason))
            continue
        message = Message(
            body=copy_text(event.actor, event.text),
            tlp=None if marking_in(event.text) is None else tlp.label,
            reply_to=_reply_in(uow, event, room),
        )
        copy = RelayCopy(room, message, link.org, source.room, source.message_id)
        queue(uow, copy, at=at, incident_id=incident.id)
        outcome.relayed_to.append(link.org)
    if outcome.relayed_to or outcome.withheld:
        _record(uow, incident, event.actor, tlp, outcome, at, what="message")
    return outcome


def plan_edit(
    uow: UnitOfWork, config: Config, incident: Incident, event: MessageEdited, at: datetime
) -> RelayOutcome:
    """Edit each copy of the original, or delete a copy the new marking no longer allows."""
    assert incident.id is not None
    outcome = RelayOutcome()
    tlp = message_tlp(event.text, incident)
    orgs = uow.incidents.orgs(incident.id)
    for copy in uow.relays.copies_of(event.target.room.platform, event.target.message_id):
        reason = withheld_because(
            config.sharing, tlp, from_org=event.actor.org, to_org=copy.org, incident_orgs=orgs
        )
        if reason:
            queue(uow, Delete(copy.room, copy.message_id), at=at, incident_id=incident.id)
            outcome.withheld.append((copy.org, reason))
            continue
        message = Message(
            body=copy_text(event.actor, event.text),
            tlp=None if marking_in(event.text) is None else tlp.label,
        )
        queue(uow, Edit(copy.room, copy.message_id, message), at=at, incident_id=incident.id)
        outcome.relayed_to.append(copy.org)
    if outcome.relayed_to or outcome.withheld:
        _record(uow, incident, event.actor, tlp, outcome, at, what="edit")
    return outcome


def plan_delete(uow: UnitOfWork, incident: Incident, target: MessageRef, at: datetime) -> int:
    """Delete every relayed copy of a deleted original; how many there were."""
    copies = uow.relays.copies_of(target.room.platform, target.message_id)
    for copy in copies:
        queue(uow, Delete(copy.room, copy.message_id), at=at, incident_id=incident.id)
    return len(copies)


def _reply_in(uow: UnitOfWork, event: MessagePosted, room: RoomRef) -> str:
    """The id, in `room`, of the message `event` replies to: the original if it lives
    there, else the original's copy there."""
    if not event.reply_to:
        return ""
    original = MessageRef(event.room, event.reply_to)
    replied_copy = uow.relays.copy_of(event.room, event.reply_to)
    if replied_copy is not None:
        original = replied_copy.source
    if original.room == room:
        return original.message_id
    for copy in uow.relays.copies_of(original.room.platform, original.message_id):
        if copy.room == room:
            return copy.message_id
    return ""


def _record(
    uow: UnitOfWork,
    incident: Incident,
    sender: Actor,
    tlp: Tlp,
    outcome: RelayOutcome,
    at: datetime,
    *,
    what: str,
) -> None:
    parts = []
    if outcome.relayed_to:
        parts.append("relayed to " + ", ".join(outcome.relayed_to))
    parts += [f"withheld from {org} ({reason})" for org, reason in outcome.withheld]
    decision = Actor(incidents.BOT.user, sender.org)
    uow.timeline.append(
        incident,
        at=at,
        kind=EntryKind.RELAY,
        actor=decision,
        tlp=tlp.label,
        text=f"TLP:{tlp.label} {what} from {sender.user.name} ({sender.org}): " + "; ".join(parts),
    )
