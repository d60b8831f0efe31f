"""Follow-ups: action items numbered within their incident, which outlive it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from warroom.storage.models import Followup, Incident, IncidentOrg


class FollowupRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, incident_id: int) -> int:
        """The next number within the incident; the caller holds the incident row locked."""
        query = select(func.max(Followup.number)).where(Followup.incident_id == incident_id)
        return int(self.session.exec(query).one() or 0) + 1

    def add(self, followup: Followup) -> Followup:
        self.session.add(followup)
        self.session.flush()
        return followup

    def get(self, incident_id: int, number: int) -> Followup | None:
        query = select(Followup).where(
            Followup.incident_id == incident_id, Followup.number == number
        )
        return self.session.exec(query).first()

    def for_incident(self, incident_id: int) -> Sequence[Followup]:
        query = select(Followup).where(Followup.incident_id == incident_id)
        return self.session.exec(query.order_by(col(Followup.number))).all()

    def of_org_incidents(self, org: str) -> Sequence[tuple[Incident, Followup]]:
        """The follow-ups of every incident `org` takes part in, closed ones included."""
        query = (
            select(Incident, Followup)
            .join(Followup, col(Followup.incident_id) == col(Incident.id))
            .join(IncidentOrg, col(IncidentOrg.incident_id) == col(Incident.id))
            .where(IncidentOrg.org == org)
            .order_by(col(Incident.number), col(Followup.number))
        )
        return [(incident, followup) for incident, followup in self.session.exec(query)]

    def due_incidents(self, now: datetime) -> list[int]:
        """The incidents with open follow-ups due by `now` and not reminded yet."""
        query = (
            select(Followup.incident_id)
            .where(*_waiting(now))
            .distinct()
            .order_by(col(Followup.incident_id))
        )
        return list(self.session.exec(query))

    def due(self, now: datetime, incident_ids: Collection[int]) -> Sequence[Followup]:
        """Those follow-ups of `incident_ids` (whose rows the caller holds locked, as a
        command changing a follow-up does: a second check waits, then finds them reminded)."""
        query = (
            select(Followup)
            .where(*_waiting(now), col(Followup.incident_id).in_(incident_ids))
            .order_by(col(Followup.incident_id), col(Followup.number))
        )
        return self.session.exec(query).all()

    def next_due(self) -> datetime | None:
        """When the next open follow-up not reminded yet falls due."""
        query = select(func.min(Followup.due_at)).where(
            col(Followup.reminded_at).is_(None),
            col(Followup.done_at).is_(None),
            col(Followup.due_at).is_not(None),
        )
        found: datetime | None = self.session.exec(query).one()
        return found


def _waiting(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(Followup.reminded_at).is_(None),
        col(Followup.done_at).is_(None),
        col(Followup.due_at) <= now,
    )
