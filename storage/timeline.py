"""The append-only, hash-chained timeline."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from warroom.bot.domain.events import Actor
from warroom.bot.domain.vocabulary import EntryKind, IncidentChanged
from warroom.storage.chain import CURRENT_VERSION, entry_hash
from warroom.storage.chain_rows import hashed_rows
from warroom.storage.models import Incident, TimelineEntry
from warroom.storage.prepared import Prepared
from warroom.storage.search_index import index_entry

_ADVANCE_HEAD = Prepared(
    update(Incident)
    .where(col(Incident.id) == bindparam("the_incident"))
    .values(timeline_seq=bindparam("new_seq"), timeline_head=bindparam("new_head"))
)

_OF_KIND = (
    select(TimelineEntry)
    .where(
        col(TimelineEntry.incident_id) == bindparam("incident_id"),
        col(TimelineEntry.kind) == bindparam("kind"),
    )
    .order_by(col(TimelineEntry.seq))
)


@dataclass
class NewEntry:
    """A timeline row about to be inserted (lighter than building the ORM object)."""

    incident_id: int
    seq: int
    at: datetime
    kind: str
    actor_platform: str
    actor_workspace: str
    actor_user_id: str
    actor_display: str
    actor_org: str
    text: str
    tlp: str
    source_event_id: str
    prev_hash: str
    hash: str = ""
    phrase: str = ""
    hash_version: int = CURRENT_VERSION


@dataclass(frozen=True)
class ToAppend:
    """An entry `TimelineRepo.append_many` is to append to its incident's timeline."""

    incident: Incident
    kind: str
    text: str
    tlp: str
    phrase: str = ""
    source_event_id: str = ""


def _head(entry: NewEntry) -> dict[str, object]:
    return {"the_incident": entry.incident_id, "new_seq": entry.seq, "new_head": entry.hash}


_INSERT_ENTRY = Prepared(insert(TimelineEntry), [f.name for f in fields(NewEntry)])


# what the disclosure rule reads of a timeline besides its entries: each edit's text and
# marking, oldest first, and who said the first entry (the incident's home organisation)
_EDITS = (
    select(col(TimelineEntry.text), col(TimelineEntry.tlp))
    .where(
        col(TimelineEntry.incident_id) == bindparam("incident_id"),
        col(TimelineEntry.kind) == EntryKind.EDITED.value,
    )
    .order_by(col(TimelineEntry.seq))
)
_FIRST_SAYER = select(col(TimelineEntry.actor_org)).where(
    col(TimelineEntry.incident_id) == bindparam("incident_id"), col(TimelineEntry.seq) == 1
)
_FIRST_SAYERS = select(col(TimelineEntry.incident_id), col(TimelineEntry.actor_org)).where(
    col(TimelineEntry.incident_id).in_(bindparam("incident_ids", expanding=True)),
    col(TimelineEntry.seq) == 1,
)


class TimelineRepo:
    def __init__(self, session: Session, changes: list[IncidentChanged]) -> None:
        self.session = session
        self.changes = changes  # what this unit of work's appends tell its listeners

    def append(
        self,
        incident: Incident,
        *,
        at: datetime,
        kind: str,
        actor: Actor,
        text: str,
        tlp: str,
        source_event_id: str = "",
        phrase: str = "",
    ) -> NewEntry:
        """Append one entry. The caller holds the incident row (locked on PostgreSQL), whose
        `timeline_seq` and `timeline_head` make the chain's tail cheap to find and race-free."""
        entry = self._chained(
            ToAppend(incident, kind, text, tlp, phrase, source_event_id), at, actor
        )
        # Two plain statements rather than an ORM flush: appending is the hottest write.
        connection = self.session.connection()
        _INSERT_ENTRY.one(connection, vars(entry))  # asdict deep-copies: slow
        _ADVANCE_HEAD.one(connection, _head(entry))
        self._indexed(connection, incident, entry, actor.org)
        return entry

    def append_many(
        self, said: Sequence[ToAppend], *, at: datetime, actor: Actor
    ) -> list[NewEntry]:
        """Append entries to the timelines of several incidents at once (a burst of
        reminders): the rows and the new heads are each one statement for all of them. Each
        incident's row is held by the caller, as for `append`."""
        entries = [self._chained(item, at, actor) for item in said]
        connection = self.session.connection()
        _INSERT_ENTRY.many(connection, [vars(entry) for entry in entries])
        heads = {entry.incident_id: _head(entry) for entry in entries}  # each one's last
        _ADVANCE_HEAD.many(connection, list(heads.values()))
        for item, entry in zip(said, entries, strict=True):
            self._indexed(connection, item.incident, entry, actor.org)
        return entries

    def _chained(self, said: ToAppend, at: datetime, actor: Actor) -> NewEntry:
        """The incident's next entry, hashed onto its chain; the incident (as read in this
        unit of work) moves its tail to it, and the listeners hear of it."""
        incident = said.incident
        assert incident.id is not None
        what = EntryKind(said.kind)
        entry = NewEntry(
            incident_id=incident.id,
            seq=incident.timeline_seq + 1,
            at=at,
            kind=what.value,
            actor_platform=actor.user.platform,
            actor_workspace=actor.user.workspace,
            actor_user_id=actor.user.user_id,
            actor_display=actor.user.display,
            actor_org=actor.org,
            text=said.text,
            tlp=said.tlp,
            source_event_id=said.source_event_id,
            prev_hash=incident.timeline_head,
            phrase=said.phrase,
        )
        entry.hash = entry_hash(entry.prev_hash, entry, incident.key)
        set_committed_value(incident, "timeline_seq", entry.seq)
        set_committed_value(incident, "timeline_head", entry.hash)
        self.changes.append(IncidentChanged(incident.id, what))
        return entry

    @staticmethod
    def _indexed(connection: Connection, incident: Incident, entry: NewEntry, org: str) -> None:
        index_entry(
            connection,
            incident,
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            org=org,
            words=entry.text,
            tlp=entry.tlp,
        )

    def entries(self, incident_id: int, *, last: int | None = None) -> Sequence[TimelineEntry]:
        query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
        if last is not None:
            newest = query.order_by(col(TimelineEntry.seq).desc()).limit(last)
            return list(reversed(self.session.exec(newest).all()))
        return self.session.exec(query.order_by(col(TimelineEntry.seq))).all()

    def older(
        self, incident_id: int, *, before: int | None, limit: int
    ) -> Sequence[TimelineEntry]:
        """At most `limit` entries before seq `before` (None: the newest), newest first."""
        query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
        if before is not None:
            query = query.where(col(TimelineEntry.seq) < before)
        return self.session.exec(query.order_by(col(TimelineEntry.seq).desc()).limit(limit)).all()

    def newer(self, incident_id: int, seq: int, *, limit: int) -> Sequence[TimelineEntry]:
        """At most `limit` entries after seq `seq`, oldest first."""
        query = select(TimelineEntry).where(
            TimelineEntry.incident_id == incident_id, col(TimelineEntry.seq) > seq
        )
        return self.session.exec(query.order_by(col(TimelineEntry.seq)).limit(limit)).all()

    def hashed_rows(self, incident_id: int) -> Iterator[tuple[Any, ...]]:
        """Each entry's hashed columns as a plain tuple, in seq order, streamed, `at` as its
        canonical text (`audit verify` walks a million without building ORM objects)."""
        return hashed_rows(self.session.connection(), incident_id)

    def by_source(self, incident_id: int, source_event_id: str) -> TimelineEntry | None:
        query = select(TimelineEntry).where(
            TimelineEntry.incident_id == incident_id,
            TimelineEntry.source_event_id == source_event_id,
        )
        return self.session.exec(query).first()

    def edits(self, incident_id: int) -> list[tuple[str, str]]:
        """(text, tlp) of the incident's edits, oldest first."""
        rows = self.session.connection().execute(_EDITS, {"incident_id": incident_id})
        return [(text, tlp) for text, tlp in rows]

    def first_sayer(self, incident_id: int) -> str:
        """The organisation that said the incident's first entry (its opener's), or ""."""
        rows = self.session.connection().execute(_FIRST_SAYER, {"incident_id": incident_id})
        return rows.scalar() or ""

    def first_sayers(self, incident_ids: Collection[int]) -> dict[int, str]:
        """`first_sayer` of each incident, in one read (a batch of reminders)."""
        params = {"incident_ids": list(incident_ids)}
        rows = self.session.connection().execute(_FIRST_SAYERS, params)
        return {incident_id: org for incident_id, org in rows}

    def of_kind(self, incident_id: int, kind: str) -> Sequence[TimelineEntry]:
        params = {"incident_id": incident_id, "kind": str(kind)}
        return self.session.exec(_OF_KIND, params=params).all()

    def latest(self, incident_id: int, kind: str) -> TimelineEntry | None:
        query = (
            select(TimelineEntry)
            .where(TimelineEntry.incident_id == incident_id, TimelineEntry.kind == kind)
            .order_by(col(TimelineEntry.seq).desc())
            .limit(1)
        )
        return self.session.exec(query).first()
