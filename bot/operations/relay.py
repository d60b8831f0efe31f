"""Relaying messages between an incident's war rooms under TLP 2.0.

A message said in one organisation's war room is copied to the others, as
`[ACME] alice: text`, when its TLP marking (else the incident's) and the organisations'
sharing agreement allow. Secrets are redacted from copies. Every decision is one timeline
entry; copies are remembered so that edits and deletions of the original follow them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Said, Sharing, Where, effective_tlp, may_see
from warroom.bot.domain.events import Actor, MessageEdited, MessagePosted, MessageRef, RoomRef
from warroom.bot.domain.language import Language, Phrase, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.sharing import withheld_because
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents
from warroom.bot.operations.effects import Delete, Edit, RelayCopy, effect_from, payload_of, queue
from warroom.bot.operations.visibility import redacted
from warroom.storage.models import Incident, Outbox
from warroom.storage.store import UnitOfWork


@dataclass
class RelayOutcome:
    relayed_to: list[str] = field(default_factory=list)
    withheld: list[tuple[str, Phrase]] = field(default_factory=list)  # (org, reason)
    newly_reached: list[str] = field(default_factory=list)  # an edit lowered the marking


def message_tlp(text: str, incident: Incident) -> Tlp:
    return effective_tlp(text, Tlp.parse(incident.tlp))


def copy_text(actor: Actor, text: str) -> str:
    return f"[{actor.org.upper()}] {actor.user.name}: {redacted(text)}"


def _why_not(config: Config, said: Said, org: str, sharing: Sharing) -> Phrase | None:
    """None when the one rule lets `org`'s room have a copy; else the reason to tell."""
    if may_see(said, org, Where.ROOM, sharing):
        return None
    reason = withheld_because(
        config.sharing,
        said.tlp,
        from_org=said.org,
        to_org=org,
        incident_orgs=sharing.incident_orgs,
    )
    return reason or phrase("TLP:{tlp} may not reach {org}", tlp=said.tlp.label, org=org)


def _sharing(uow: UnitOfWork, config: Config, incident: Incident) -> Sharing:
    assert incident.id is not None
    return Sharing(config.sharing, frozenset(uow.incidents.orgs(incident.id)))


def plan_relay(
    uow: UnitOfWork, config: Config, incident: Incident, event: MessagePosted, at: datetime
) -> RelayOutcome:
    """Queue the copies `event` may have and record the decision; in the capture's transaction."""
    assert incident.id is not None
    outcome = RelayOutcome()
    said = Said(event.text, message_tlp(event.text, incident), event.actor.org)
    sharing = _sharing(uow, config, incident)
    source = event.ref
    for link in uow.rooms.for_incident(incident.id):
        if link.room == event.room:
            continue
        reason = _why_not(config, said, link.org, sharing)
        if reason:
            outcome.withheld.append((link.org, reason))
            continue
        message = _copy(event.actor, said, reply_to=_reply_in(uow, event, link.room))
        copy = RelayCopy(link.room, message, link.org, source.room, source.message_id)
        queue(uow, copy, at=at, incident_id=incident.id)
        outcome.relayed_to.append(link.org)
    if outcome.relayed_to or outcome.withheld:
        _record(uow, incident, event.actor, said.tlp, outcome, at, what="message")
    return outcome


def _copy(actor: Actor, said: Said, *, reply_to: str = "") -> Message:
    """The copy: its banner is the TLP of what it holds."""
    return Message(body=copy_text(actor, said.text), tlp=said.tlp.label, reply_to=reply_to)


def plan_edit(
    uow: UnitOfWork, config: Config, incident: Incident, event: MessageEdited, at: datetime
) -> RelayOutcome:
    """Copies follow the edited original under the one rule: each copy, delivered or still
    queued, is edited or withdrawn; a room that may see it only now gets its first copy."""
    assert incident.id is not None
    outcome = RelayOutcome()
    said = Said(event.text, message_tlp(event.text, incident), event.actor.org)
    sharing = _sharing(uow, config, incident)
    target = event.target
    reached: set[RoomRef] = set()
    for copy in uow.relays.copies_of(target.room.platform, target.message_id):
        reached.add(copy.room)
        reason = _why_not(config, said, copy.org, sharing)
        if reason:
            queue(uow, Delete(copy.room, copy.message_id), at=at, incident_id=incident.id)
            outcome.withheld.append((copy.org, reason))
            continue
        message = _copy(event.actor, said)
        queue(uow, Edit(copy.room, copy.message_id, message), at=at, incident_id=incident.id)
        outcome.relayed_to.append(copy.org)
    for item, queued in _queued_copies(uow, incident.id, target):
        reached.add(queued.room)
        reason = _why_not(config, said, queued.org, sharing)
        if reason:
            uow.outbox.withdraw(item, at, "the original was edited out of this room's reach")
            outcome.withheld.append((queued.org, reason))
            continue
        message = _copy(event.actor, said, reply_to=queued.message.reply_to)
        changed = replace(queued, message=message)
        item.payload = json.dumps(payload_of(changed), sort_keys=True)
        uow.save(item)
        outcome.relayed_to.append(queued.org)
    for link in uow.rooms.for_incident(incident.id):
        if link.room in reached or link.room == target.room:
            continue
        if _why_not(config, said, link.org, sharing) is None:  # the edit lowered the marking
            message = _copy(event.actor, said)
            first = RelayCopy(link.room, message, link.org, target.room, target.message_id)
            queue(uow, first, at=at, incident_id=incident.id)
            outcome.relayed_to.append(link.org)
            outcome.newly_reached.append(link.org)
    if outcome.relayed_to or outcome.withheld:
        _record(uow, incident, event.actor, said.tlp, outcome, at, what="edit")
    return outcome


def _queued_copies(
    uow: UnitOfWork, incident_id: int, source: MessageRef
) -> list[tuple[Outbox, RelayCopy]]:
    """Copies of `source` still waiting in the outbox."""
    found = []
    for item in uow.outbox.waiting(incident_id, RelayCopy.kind):
        queued = effect_from(RelayCopy, json.loads(item.payload))
        if (queued.source, queued.source_message_id) == (source.room, source.message_id):
            found.append((item, queued))
    return found


def plan_delete(uow: UnitOfWork, incident: Incident, target: MessageRef, at: datetime) -> int:
    """Delete every relayed copy of a deleted original, and withdraw those still queued;
    how many there were."""
    assert incident.id is not None
    copies = uow.relays.copies_of(target.room.platform, target.message_id)
    for copy in copies:
        queue(uow, Delete(copy.room, copy.message_id), at=at, incident_id=incident.id)
    queued = _queued_copies(uow, incident.id, target)
    for item, _ in queued:
        uow.outbox.withdraw(item, at, "the original was deleted")
    return len(copies) + len(queued)


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


# A withholding reason as a metric label: from the fixed set of reasons the rule gives.
REASON_CODES = {
    "TLP:RED stays in the room where it was said": "red",
    "TLP:AMBER+STRICT stays within {org}": "amber_strict",
    "TLP:AMBER goes only to organisations in the incident, and {org} is not": "not_in_incident",
    "there is no sharing agreement between {sayer} and {reader}": "no_agreement",
    "TLP:{tlp} is above the TLP:{cap} agreed between {sayer} and {reader}": "above_cap",
}


def decisions(outcome: RelayOutcome) -> list[tuple[str, str]]:
    """Each room's decision as (outcome, reason), for the operators' metrics."""
    relayed = [("relayed", "allowed")] * len(outcome.relayed_to)
    return relayed + [
        ("withheld", REASON_CODES.get(reason.message, "other")) for _, reason in outcome.withheld
    ]


def withheld_notice(outcome: RelayOutcome, lang: Language) -> Message | None:
    """What the sender learns privately, in their language: where their message did not go;
    after an edit, where it goes now too. None when there is nothing to tell."""
    lines = [
        lang.format("not relayed to {org}: {reason}", org=org, reason=reason)
        for org, reason in outcome.withheld
    ]
    if outcome.newly_reached:
        lines.append(lang.format("relayed now to {orgs}", orgs=", ".join(outcome.newly_reached)))
    return Message(body="\n".join(lines)) if lines else None


def decision(sender: Actor, tlp: Tlp, outcome: RelayOutcome, *, what: str) -> Phrase:
    """The relay decision as the timeline keeps it: `TLP:AMBER message from alice (acme):
    relayed to cert; withheld from cloud (...)`, each part said in the reader's language."""
    parts: list[Phrase] = []
    if outcome.relayed_to:
        parts.append(phrase("relayed to {orgs}", orgs=", ".join(outcome.relayed_to)))
    parts += [
        phrase("withheld from {org} ({reason})", org=org, reason=reason)
        for org, reason in outcome.withheld
    ]
    decided = parts[-1]
    for part in reversed(parts[:-1]):
        decided = phrase("{decision}; {more}", decision=part, more=decided)
    values = {"tlp": tlp.label, "who": sender.user.name, "org": sender.org, "decided": decided}
    if what == "edit":
        return phrase("TLP:{tlp} edit from {who} ({org}): {decided}", **values)
    return phrase("TLP:{tlp} message from {who} ({org}): {decided}", **values)


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
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.RELAY,
        actor=Actor(incidents.BOT.user, sender.org),
        tlp=tlp,
        text=decision(sender, tlp, outcome, what=what),
    )
