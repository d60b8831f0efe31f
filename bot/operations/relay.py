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
from warroom.bot.operations import incidents
from warroom.bot.runtime import outbox
from warroom.bot.runtime.outbox import Claimed, OutboxDispatcher, handles
from warroom.storage.models import Incident, RelayCopy
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
        room = RoomRef(link.platform, link.workspace, link.room_id)
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
        outbox.enqueue(
            uow,
            "relay",
            platform=room.platform,
            at=at,
            incident_id=incident.id,
            payload={
                "room": outbox.room_dict(room),
                "message": message.to_dict(),
                "org": link.org,
                "source": outbox.room_dict(source.room),
                "source_message_id": source.message_id,
            },
        )
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
        ref = {
            "room": {
                "platform": copy.platform,
                "workspace": copy.workspace,
                "room_id": copy.room_id,
            },
            "message_id": copy.message_id,
        }
        reason = withheld_because(
            config.sharing, tlp, from_org=event.actor.org, to_org=copy.org, incident_orgs=orgs
        )
        if reason:
            outbox.enqueue(
                uow, "delete", platform=copy.platform, at=at, incident_id=incident.id, payload=ref
            )
            outcome.withheld.append((copy.org, reason))
            continue
        message = Message(
            body=copy_text(event.actor, event.text),
            tlp=None if marking_in(event.text) is None else tlp.label,
        )
        outbox.enqueue(
            uow,
            "edit",
            platform=copy.platform,
            at=at,
            incident_id=incident.id,
            payload={**ref, "message": message.to_dict()},
        )
        outcome.relayed_to.append(copy.org)
    if outcome.relayed_to or outcome.withheld:
        _record(uow, incident, event.actor, tlp, outcome, at, what="edit")
    return outcome


def plan_delete(uow: UnitOfWork, incident: Incident, target: MessageRef, at: datetime) -> int:
    """Delete every relayed copy of a deleted original; how many there were."""
    copies = uow.relays.copies_of(target.room.platform, target.message_id)
    for copy in copies:
        outbox.enqueue(
            uow,
            "delete",
            platform=copy.platform,
            at=at,
            incident_id=incident.id,
            payload={
                "room": {
                    "platform": copy.platform,
                    "workspace": copy.workspace,
                    "room_id": copy.room_id,
                },
                "message_id": copy.message_id,
            },
        )
    return len(copies)


def _reply_in(uow: UnitOfWork, event: MessagePosted, room: RoomRef) -> str:
    """The id, in `room`, of the message `event` replies to: the original if it lives
    there, else the original's copy there."""
    if not event.reply_to:
        return ""
    original = MessageRef(event.room, event.reply_to)
    replied_copy = uow.relays.copy_of(event.room, event.reply_to)
    if replied_copy is not None:
        source_room = RoomRef(
            replied_copy.source_platform,
            replied_copy.source_workspace,
            replied_copy.source_room_id,
        )
        original = MessageRef(source_room, replied_copy.source_message_id)
    if original.room == room:
        return original.message_id
    for copy in uow.relays.copies_of(original.room.platform, original.message_id):
        if RoomRef(copy.platform, copy.workspace, copy.room_id) == room:
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
        kind="relay",
        actor=decision,
        tlp=tlp.label,
        text=f"TLP:{tlp.label} {what} from {sender.user.name} ({sender.org}): " + "; ".join(parts),
    )


@handles("relay")
async def deliver_copy(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = outbox.room_of(item.payload["room"])
    ref = await dispatcher.adapter(room.platform).post(
        room, Message.from_dict(item.payload["message"])
    )
    assert item.incident_id is not None
    source = outbox.room_of(item.payload["source"])
    copy = RelayCopy(
        incident_id=item.incident_id,
        source_platform=source.platform,
        source_workspace=source.workspace,
        source_room_id=source.room_id,
        source_message_id=item.payload["source_message_id"],
        platform=room.platform,
        workspace=room.workspace,
        room_id=room.room_id,
        org=item.payload["org"],
        message_id=ref.message_id,
        created_at=dispatcher.clock.now(),
    )
    await dispatcher.store.transaction(lambda uow: uow.relays.add(copy))


@handles("delete")
async def delete_copy(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = outbox.room_of(item.payload["room"])
    await dispatcher.adapter(room.platform).delete(MessageRef(room, item.payload["message_id"]))
