"""Taking signed checkpoints: stored, and posted as one line into every linked war room and
digest room, where each organisation keeps its own copy out of the operator's reach.

The line shows the incident's key, the entry count and a prefix of the head hash: nothing
said on the timeline, so it needs no disclosure decision (a withheld title never shows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from warroom.bot.config import Config
from warroom.bot.domain import exercise_mark
from warroom.bot.domain.checkpoint import KIND, Signed, parse, sign
from warroom.bot.domain.clock import Clock
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Attachment, Message
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations.effects import Post, queue
from warroom.storage.models import Checkpoint, Incident
from warroom.storage.store import UnitOfWork

# What is checkpointed in the transaction that records it.
TAKEN_ON = frozenset({EntryKind.OPENED, EntryKind.STATE, EntryKind.RESOLVED, EntryKind.CLOSED})


@dataclass(frozen=True)
class Checkpointer:
    """The deployment's key and what a checkpoint's line needs (the rooms, the time)."""

    key: Ed25519PrivateKey
    config: Config
    clock: Clock

    def before_commit(self, uow: UnitOfWork) -> None:
        """A checkpoint of every incident the transaction opened, moved, resolved or closed."""
        touched = sorted({c.incident_id for c in uow.changes if c.kind in TAKEN_ON})
        for incident_id in touched:
            incident = uow.incidents.get(incident_id)
            if incident is not None and uow.once("checkpoint", incident_id, incident.timeline_seq):
                take(uow, incident, key=self.key, config=self.config, at=self.clock.now())

    def take_now(self, uow: UnitOfWork, incident: Incident) -> None:
        """A checkpoint now, within the operation (before its rooms are archived); the
        same head is not signed again when the transaction commits."""
        if uow.once("checkpoint", incident.id, incident.timeline_seq):
            take(uow, incident, key=self.key, config=self.config, at=self.clock.now())


def take(
    uow: UnitOfWork,
    incident: Incident,
    *,
    key: Ed25519PrivateKey,
    config: Config,
    at: datetime,
) -> Signed:
    """Sign the incident's head as it stands in this transaction, keep it and post it."""
    assert incident.id is not None
    signed = sign(
        key,
        incident=incident.key,
        seq=incident.timeline_seq,
        head=incident.timeline_head,
        at=at,
    )
    uow.checkpoints.add(
        Checkpoint(
            incident_id=incident.id,
            incident_key=incident.key,
            seq=signed.statement.seq,
            head=signed.statement.head,
            at=at,
            key_fingerprint=signed.statement.key,
            statement=signed.statement.canonical().decode("utf-8"),
            signature=signed.signature,
        )
    )
    for room, org in rooms(uow, incident, config):
        lang = config.language(org)
        message = exercise_mark.about(line(signed, lang), lang, exercise=incident.exercise)
        queue(uow, Post(room, message), at=at, incident_id=incident.id)
    return signed


def rooms(uow: UnitOfWork, incident: Incident, config: Config) -> list[tuple[RoomRef, str]]:
    """Every linked war room, and the digest room of each organisation taking part."""
    assert incident.id is not None
    found = [(link.room, link.org) for link in uow.rooms.for_incident(incident.id)]
    for org_id in uow.incidents.orgs(incident.id):
        org = config.org(org_id)
        if org is not None and org.digest_room:
            found.append((RoomRef(org.platform, org.room_workspace, org.digest_room), org_id))
    unique: dict[RoomRef, str] = {}
    for room, org_id in found:
        unique.setdefault(room, org_id)
    return list(unique.items())


def line(signed: Signed, lang: Language) -> Message:
    """`🔏 INC-1 #42 · 3f9a…c2 · signed 20:01 CET`, with the signed document attached."""
    statement = signed.statement
    head = f"{statement.head[:4]}…{statement.head[-2:]}"
    at = datetime.fromisoformat(statement.at.replace("Z", "+00:00"))
    body = lang.format(
        "🔏 {key} #{seq} · {head} · signed {at}",
        key=statement.incident,
        seq=statement.seq,
        head=head,
        at=lang.time(at),
    )
    data = json.dumps(signed.document(), sort_keys=True, separators=(",", ":"))
    return Message(body=body, attachment=Attachment(KIND, data))


def stored(checkpoint: Checkpoint) -> Signed | None:
    """A stored checkpoint as the signed document it was made as."""
    return parse(
        {"statement": json.loads(checkpoint.statement), "signature": checkpoint.signature}
    )


def exported(uow: UnitOfWork, incident_id: int) -> list[dict[str, object]]:
    """`checkpoints[]` of an export: each signed document, as posted."""
    found = (stored(c) for c in uow.checkpoints.for_incident(incident_id))
    return [signed.document() for signed in found if signed is not None]


def latest_line(uow: UnitOfWork, incident_id: int, lang: Language) -> Message | None:
    """The line of the incident's latest checkpoint (for a room linked after it)."""
    last = uow.checkpoints.latest(incident_id)
    signed = stored(last) if last is not None else None
    return line(signed, lang) if signed is not None else None
