"""Follow-ups: action items numbered within their incident, which outlive it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from warroom.bot.domain.events import UserRef
from warroom.storage.models import Followup, Incident, IncidentOrg


@dataclass(frozen=True)
class ListedFollowup:
    """A follow-up as a list shows it: read as a plain row, not as a tracked object."""

    incident_id: int
    number: int
    text: str
    tlp: str
    said_org: str
    owner_platform: str
    owner_workspace: str
    owner_user_id: str
    owner_display: str
    owner_org: str
    owner_as: str
    due_at: datetime | None
    done_at: datetime | None
    done_by: str
    done_by_display: str


LISTED = [getattr(Followup, f.name) for f in fields(ListedFollowup)]


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

    def of_org_incidents(
        self, org: str, *, open_only: bool = False, owner: UserRef | None = None
    ) -> list[ListedFollowup]:
        """The follow-ups of every incident `org` takes part in, closed ones included, in
        one query: those not done (`open_only`), those `owner` owns."""
        query = (
            columns(*LISTED)
            .join(IncidentOrg, col(IncidentOrg.incident_id) == col(Followup.incident_id))
            .join(Incident, col(Incident.id) == col(Followup.incident_id))
            .where(col(IncidentOrg.org) == org)
            .order_by(col(Incident.number), col(Followup.number))
        )
        if open_only:
            query = query.where(col(Followup.done_at).is_(None))
        if owner is not None:
            query = query.where(
                col(Followup.owner_platform) == owner.platform,
                col(Followup.owner_workspace) == owner.workspace,
                col(Followup.owner_user_id) == owner.user_id,
            )
        rows = self.session.connection().execute(query).all()
        return [ListedFollowup(*row) for row in rows]

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
