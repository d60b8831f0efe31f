"""Observables of incidents, the entries they were said in, and the extraction cursor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from warroom.storage.many_rows import ManyRows
from warroom.storage.models import (
    Incident,
    IntelCursor,
    Observable,
    ObservableSighting,
    TimelineEntry,
)


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

    def counts_of(
        self, incident_id: int, values: Collection[str]
    ) -> list[tuple[str, str, int, int, datetime, datetime, str, int, int]]:
        """(type, value, first_seq, last_seq, first_seen_at, last_seen_at, tlp, times_seen,
        id) of the incident's observables of any of `values`: what a batch's sightings
        count on, without loading whole observables."""
        if not values:
            return []
        table = _table(Observable)
        query = sa.select(
            table.c.type,
            table.c.value,
            table.c.first_seq,
            table.c.last_seq,
            table.c.first_seen_at,
            table.c.last_seen_at,
            table.c.tlp,
            table.c.times_seen,
            table.c.id,
        ).where(table.c.incident_id == incident_id, table.c.value.in_(list(values)))
        return [tuple(row) for row in self.session.connection().execute(query)]

    def update_counts(self, rows: Sequence[Mapping[str, object]]) -> None:
        """Set the counts of stored observables (each row names its `observable_id`), in one
        statement."""
        if rows:
            _SET_COUNTS(self.session.connection(), rows)

    def sighted_at(self, incident_id: int, seqs: Collection[int]) -> set[tuple[int, int]]:
        """(observable id, seq) of the sightings recorded in those entries already."""
        if not seqs:
            return set()
        query = select(ObservableSighting.observable_id, ObservableSighting.seq).where(
            ObservableSighting.incident_id == incident_id,
            col(ObservableSighting.seq).in_(list(seqs)),
        )
        return {(o, s) for o, s in self.session.exec(query)}

    def found_elsewhere(self, incident_id: int, values: Collection[str]) -> set[tuple[str, str]]:
        """(type, value) of those of `values` that other incidents hold too."""
        if not values:
            return set()
        query = select(Observable.type, Observable.value).where(
            col(Observable.value).in_(list(values)), Observable.incident_id != incident_id
        )
        return {(t, v) for t, v in self.session.exec(query)}

    def add_all(self, rows: Sequence[Observable | ObservableSighting]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def insert_rows(self, rows: Sequence[Mapping[str, object]]) -> dict[tuple[str, str], int]:
        """Insert new observables given as column values; the id of each, by (type, value)
        (a batch from a busy room: building ORM objects costs more than the scan)."""
        if not rows:
            return {}
        # on the table, not the class: the ORM's bulk path would cost as much again. Ids
        # come back with their keys, in no particular order: asked in the order given,
        # SQLite would be sent one INSERT per row
        table = _table(Observable)
        statement = insert(table).returning(table.c.type, table.c.value, table.c.id)
        inserted = self.session.connection().execute(statement, list(rows))
        return {(kind, value): new_id for kind, value, new_id in inserted}

    def insert_sighting_rows(self, rows: Sequence[Mapping[str, object]]) -> None:
        _ADD_SIGHTINGS(self.session.connection(), rows)


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = SQLModel.metadata.tables[str(model.__tablename__)]
    return table


_COUNTED = ("first_seq", "last_seq", "times_seen", "first_seen_at", "last_seen_at", "tlp")
_OBSERVABLE = _table(Observable)
_SET_COUNTS = ManyRows(
    sa.update(_OBSERVABLE)
    .where(_OBSERVABLE.c.id == sa.bindparam("observable_id"))
    .values({name: sa.bindparam(name) for name in _COUNTED}),
    [],
)
_SIGHTING = _table(ObservableSighting)
_ADD_SIGHTINGS = ManyRows(insert(_SIGHTING), [c.name for c in _SIGHTING.columns])
