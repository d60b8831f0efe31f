"""Observables of incidents, the entries they were said in, and the extraction cursor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlmodel import Session, col, select

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
