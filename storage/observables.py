"""Observables of incidents, the entries they were said in, and the extraction cursor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from warroom.storage.models import (
    Incident,
    IntelCursor,
    Observable,
    ObservableSighting,
    TimelineEntry,
)
from warroom.storage.prepared import Prepared

# (type, value, first_seq, last_seq, first_seen_at, last_seen_at, tlp, times_seen, id)
Counts = tuple[str, str, int, int, datetime, datetime, str, int, int]


class Held(NamedTuple):
    """What the store holds of a batch's values: the incident's observables of them (what
    its sightings count on, without loading whole observables), and the (type, value) of
    those other incidents hold too."""

    counts: list[Counts]
    elsewhere: set[tuple[str, str]]


class ObservableRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scanned_to(self, incident_id: int) -> int:
        cursor = self.session.get(IntelCursor, incident_id)
        return cursor.scanned_seq if cursor else 0

    def mark_scanned(self, incident_id: int, seq: int) -> None:
        cursor = self.session.get(IntelCursor, incident_id)
        if cursor is None:
            cursor = IntelCursor(incident_id=incident_id)
        cursor.scanned_seq = seq
        self.session.add(cursor)

    def unscanned_incidents(self) -> list[int]:
        """Incidents whose timeline has entries extraction has not read yet."""
        rows = self.session.exec(
            select(Incident.id, Incident.timeline_seq, IntelCursor.scanned_seq).outerjoin(
                IntelCursor, col(IntelCursor.incident_id) == col(Incident.id)
            )
        ).all()
        return [i for i, seq, scanned in rows if i is not None and seq > (scanned or 0)]

    def entries_after(
        self, incident_id: int, seq: int, kinds: Collection[str]
    ) -> Sequence[TimelineEntry]:
        query = (
            select(TimelineEntry)
            .where(
                TimelineEntry.incident_id == incident_id,
                col(TimelineEntry.seq) > seq,
                col(TimelineEntry.kind).in_(list(kinds)),
            )
            .order_by(col(TimelineEntry.seq))
        )
        return self.session.exec(query).all()

    def entries_at(self, incident_id: int, seqs: Collection[int]) -> Sequence[TimelineEntry]:
        """The entries of these seqs (where observables were sighted), oldest first."""
        found: list[TimelineEntry] = []
        ordered = sorted(seqs)
        for at in range(0, len(ordered), 500):  # within every database's parameter limit
            query = select(TimelineEntry).where(
                TimelineEntry.incident_id == incident_id,
                col(TimelineEntry.seq).in_(ordered[at : at + 500]),
            )
            found += self.session.exec(query.order_by(col(TimelineEntry.seq))).all()
        return found

    def said_after(
        self, incident_id: int, seq: int, kinds: Collection[str], *, limit: int | None = None
    ) -> list[tuple[int, str, datetime, str, str]]:
        """(seq, text, at, org, tlp) of the entries of those kinds past `seq` (the first
        `limit` of them): what extraction reads, without loading whole entries."""
        query = (
            sa.select(
                col(TimelineEntry.seq),
                col(TimelineEntry.text),
                col(TimelineEntry.at),
                col(TimelineEntry.actor_org),
                col(TimelineEntry.tlp),
            )
            .where(
                col(TimelineEntry.incident_id) == incident_id,
                col(TimelineEntry.seq) > seq,
                col(TimelineEntry.kind).in_(list(kinds)),
            )
            .order_by(col(TimelineEntry.seq))
            .limit(limit)
        )
        return [(s, t, a, o, tlp) for s, t, a, o, tlp in self.session.execute(query)]

    def get(self, incident_id: int, kind: str, value: str) -> Observable | None:
        query = select(Observable).where(
            Observable.incident_id == incident_id,
            Observable.type == kind,
            Observable.value == value,
        )
        return self.session.exec(query).first()

    def with_value(self, incident_id: int, value: str) -> Sequence[Observable]:
        query = select(Observable).where(
            Observable.incident_id == incident_id, Observable.value == value
        )
        return self.session.exec(query.order_by(col(Observable.id))).all()

    def for_incident(self, incident_id: int) -> Sequence[Observable]:
        query = select(Observable).where(Observable.incident_id == incident_id)
        return self.session.exec(query.order_by(col(Observable.id))).all()

    def add(self, observable: Observable) -> Observable:
        self.session.add(observable)
        self.session.flush()
        return observable

    def add_sighting(self, sighting: ObservableSighting) -> bool:
        """Record where an observable was said; False if that entry was recorded before."""
        key = (sighting.observable_id, sighting.seq)
        if self.session.get(ObservableSighting, key) is not None:
            return False
        self.session.add(sighting)
        return True

    def sightings(self, incident_id: int) -> dict[int, list[ObservableSighting]]:
        """Each observable's sightings in the incident, oldest first."""
        query = (
            select(ObservableSighting)
            .where(ObservableSighting.incident_id == incident_id)
            .order_by(col(ObservableSighting.seq))
        )
        found: dict[int, list[ObservableSighting]] = defaultdict(list)
        for sighting in self.session.exec(query):
            found[sighting.observable_id].append(sighting)
        return found

    def elsewhere(self, kind: str, value: str, incident_id: int) -> Sequence[Observable]:
        """The same observable in other incidents."""
        query = select(Observable).where(
            Observable.type == kind,
            Observable.value == value,
            Observable.incident_id != incident_id,
        )
        return self.session.exec(query.order_by(col(Observable.incident_id))).all()

    def held(self, incident_id: int, values: Collection[str]) -> Held:
        """What the store holds of `values`: the incident's observables of them, with their
        counts, and which other incidents hold them too. One seek per value."""
        counts: list[Counts] = []
        elsewhere: set[tuple[str, str]] = set()
        if values:
            rows = self.session.connection().execute(_HELD, {"values": list(values)})
            for held_in, kind, value, *rest in rows:
                if held_in == incident_id:
                    counts.append((kind, value, *rest))
                else:
                    elsewhere.add((kind, value))
        return Held(counts, elsewhere)

    def update_counts(self, rows: Sequence[Mapping[str, object]]) -> None:
        """Set the counts of stored observables (each row names its `observable_id`), in one
        statement."""
        if rows:
            _SET_COUNTS.many(self.session.connection(), rows)

    def sighted_at(self, incident_id: int, seqs: Collection[int]) -> set[tuple[int, int]]:
        """(observable id, seq) of the sightings recorded in those entries already."""
        if not seqs:
            return set()
        found = self.session.connection().execute(
            _SIGHTED, {"incident_id": incident_id, "seqs": list(seqs)}
        )
        return {(observable_id, seq) for observable_id, seq in found}

    def add_all(self, rows: Sequence[Observable | ObservableSighting]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def insert_rows(
        self, incident_id: int, rows: Sequence[Mapping[str, object]]
    ) -> dict[tuple[str, str], int]:
        """Insert new observables of the incident, given as column values (a batch from a
        busy room: building ORM objects costs more than the scan); the id of each, by (type,
        value)."""
        if not rows:
            return {}
        connection = self.session.connection()
        _ADD_OBSERVABLES.many(connection, rows)
        wanted = {(row["type"], row["value"]) for row in rows}
        asked = {
            "incident_id": incident_id,
            "types": list({row["type"] for row in rows}),
            "values": [row["value"] for row in rows],
        }
        found = connection.execute(_IDS, asked)
        return {(kind, value): new_id for kind, value, new_id in found if (kind, value) in wanted}

    def insert_sighting_rows(self, rows: Sequence[Mapping[str, object]]) -> None:
        _ADD_SIGHTINGS.many(self.session.connection(), rows)


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = SQLModel.metadata.tables[str(model.__tablename__)]
    return table


_COUNTED = ("first_seq", "last_seq", "times_seen", "first_seen_at", "last_seen_at", "tlp")
_OBSERVABLE = _table(Observable)
_SET_COUNTS = Prepared(
    sa.update(_OBSERVABLE)
    .where(_OBSERVABLE.c.id == sa.bindparam("observable_id"))
    .values({name: sa.bindparam(name) for name in _COUNTED})
)
_SIGHTING = _table(ObservableSighting)
_ADD_SIGHTINGS = Prepared(insert(_SIGHTING), [c.name for c in _SIGHTING.columns])
_OBSERVABLE_COLUMNS = [c.name for c in _OBSERVABLE.columns if c.name != "id"]
_ADD_OBSERVABLES = Prepared(insert(_OBSERVABLE), _OBSERVABLE_COLUMNS)
_BY_VALUE = _OBSERVABLE.c.value.in_(sa.bindparam("values", expanding=True))
_HELD = sa.select(
    _OBSERVABLE.c.incident_id,
    _OBSERVABLE.c.type,
    _OBSERVABLE.c.value,
    _OBSERVABLE.c.first_seq,
    _OBSERVABLE.c.last_seq,
    _OBSERVABLE.c.first_seen_at,
    _OBSERVABLE.c.last_seen_at,
    _OBSERVABLE.c.tlp,
    _OBSERVABLE.c.times_seen,
    _OBSERVABLE.c.id,
).where(_BY_VALUE)
# by its unique key, whole: the key's index holds the id, and read by the incident alone
# it would be read for all of the incident's observables
_IDS = sa.select(_OBSERVABLE.c.type, _OBSERVABLE.c.value, _OBSERVABLE.c.id).where(
    _OBSERVABLE.c.incident_id == sa.bindparam("incident_id"),
    _OBSERVABLE.c.type.in_(sa.bindparam("types", expanding=True)),
    _BY_VALUE,
)
_SIGHTED = sa.select(_SIGHTING.c.observable_id, _SIGHTING.c.seq).where(
    _SIGHTING.c.incident_id == sa.bindparam("incident_id"),
    _SIGHTING.c.seq.in_(sa.bindparam("seqs", expanding=True)),
)
