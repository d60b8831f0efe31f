"""The reads behind the indicators: incidents in a period, what their tasks and their
organisations did. Whole columns in few queries, so a year of incidents reads quickly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlalchemy import select as columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.storage.models import Incident, IncidentOrg, Outbox, Task, TimelineEntry


@dataclass(frozen=True)
class Scope:
    """Incidents opened since `since` (of one severity, one organisation took part in)."""

    since: datetime
    severity: int | None = None
    org: str | None = None


@dataclass(frozen=True)
class IncidentTimes:
    id: int
    severity: int
    exercise: bool
    opened_at: datetime
    acknowledged_at: datetime | None
    contained_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class FirstAct:
    """An organisation brought into an incident, and its first act there (None: none yet)."""

    incident_id: int
    org: str
    brought_in_at: datetime
    first_at: datetime | None


@dataclass(frozen=True)
class OpenCount:
    severity: int
    org: str
    exercise: bool
    count: int


def _ids(scope: Scope) -> SelectOfScalar[int | None]:
    query = select(col(Incident.id)).where(col(Incident.opened_at) >= scope.since)
    if scope.severity is not None:
        query = query.where(col(Incident.severity) == scope.severity)
    if scope.org is not None:
        took_part = select(col(IncidentOrg.incident_id)).where(col(IncidentOrg.org) == scope.org)
        query = query.where(col(Incident.id).in_(took_part))
    return query


class StatsRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def times(self, scope: Scope) -> list[IncidentTimes]:
        query = columns(
            col(Incident.id),
            col(Incident.severity),
            col(Incident.exercise),
            col(Incident.opened_at),
            col(Incident.acknowledged_at),
            col(Incident.contained_at),
            col(Incident.resolved_at),
        ).where(col(Incident.id).in_(_ids(scope)))
        rows = self.session.connection().execute(query)
        return [
            IncidentTimes(int(i or 0), sev, exercise, opened, ack, contained, resolved)
            for i, sev, exercise, opened, ack, contained, resolved in rows
        ]

    def incidents(self, ids: Sequence[int]) -> Sequence[Incident]:
        query = select(Incident).where(col(Incident.id).in_(ids))
        return self.session.exec(query).all()

    def tasks_done(self, scope: Scope) -> dict[int, int]:
        """Incident id -> its tasks done, of every incident in scope that has any."""
        query = (
            select(col(Task.incident_id), func.count())
            .where(col(Task.incident_id).in_(_ids(scope)), col(Task.done_at).is_not(None))
            .group_by(col(Task.incident_id))
        )
        return {incident_id: int(n) for incident_id, n in self.session.exec(query)}

    def done_tasks(self, scope: Scope) -> Sequence[Task]:
        query = select(Task).where(
            col(Task.incident_id).in_(_ids(scope)), col(Task.done_at).is_not(None)
        )
        return self.session.exec(query).all()

    def orgs(self, scope: Scope) -> dict[int, list[str]]:
        query = select(col(IncidentOrg.incident_id), col(IncidentOrg.org)).where(
            col(IncidentOrg.incident_id).in_(_ids(scope))
        )
        found: dict[int, list[str]] = {}
        for incident_id, org in self.session.exec(query):
            found.setdefault(incident_id, []).append(org)
        return found

    def first_acts(self, scope: Scope, *, bot_platform: str) -> list[FirstAct]:
        """Every organisation brought into an incident in scope after it was opened by
        another, with the time of the first entry one of its people made from then on."""
        opened = aliased(TimelineEntry)
        act = aliased(TimelineEntry)
        query = (
            select(
                col(IncidentOrg.incident_id),
                col(IncidentOrg.org),
                col(IncidentOrg.joined_at),
                func.min(col(act.at)),
            )
            .join(
                opened,
                and_(
                    col(opened.incident_id) == col(IncidentOrg.incident_id), col(opened.seq) == 1
                ),
            )
            .outerjoin(
                act,
                and_(
                    col(act.incident_id) == col(IncidentOrg.incident_id),
                    col(act.actor_org) == col(IncidentOrg.org),
                    col(act.actor_platform) != bot_platform,
                    col(act.at) >= col(IncidentOrg.joined_at),
                ),
            )
            .where(
                col(IncidentOrg.incident_id).in_(_ids(scope)),
                col(IncidentOrg.org) != col(opened.actor_org),
            )
            .group_by(
                col(IncidentOrg.incident_id), col(IncidentOrg.org), col(IncidentOrg.joined_at)
            )
        )
        return [FirstAct(*row) for row in self.session.exec(query)]

    def brought_in(self, incident_id: int) -> list[tuple[str, datetime]]:
        """The incident's organisations and when each was brought in, in that order."""
        query = (
            select(col(IncidentOrg.org), col(IncidentOrg.joined_at))
            .where(col(IncidentOrg.incident_id) == incident_id)
            .order_by(col(IncidentOrg.joined_at), col(IncidentOrg.org))
        )
        return [(org, at) for org, at in self.session.exec(query)]

    def acts(self, scope: Scope, *, bot_platform: str) -> Sequence[TimelineEntry]:
        """What people recorded in incidents in scope, edits included (an edit may change an
        earlier entry's TLP): for one organisation's view, entry by entry."""
        query = (
            select(TimelineEntry)
            .where(
                col(TimelineEntry.incident_id).in_(_ids(scope)),
                col(TimelineEntry.actor_platform) != bot_platform,
            )
            .order_by(col(TimelineEntry.incident_id), col(TimelineEntry.seq))
        )
        return self.session.exec(query).all()

    def open_incidents(self) -> list[OpenCount]:
        """Incidents not resolved or closed, per severity and organisation taking part."""
        query = (
            select(
                col(Incident.severity), col(IncidentOrg.org), col(Incident.exercise), func.count()
            )
            .join(IncidentOrg, col(IncidentOrg.incident_id) == col(Incident.id))
            .where(col(Incident.state).notin_(DONE_STATES))
            .group_by(col(Incident.severity), col(IncidentOrg.org), col(Incident.exercise))
        )
        return [OpenCount(sev, org, ex, int(n)) for sev, org, ex, n in self.session.exec(query)]

    def outbox_waiting(self) -> tuple[int, datetime | None]:
        """How many outbox items wait for delivery, and when the oldest was queued."""
        query = select(func.count(), func.min(col(Outbox.created_at))).where(
            col(Outbox.done_at).is_(None), col(Outbox.failed_at).is_(None)
        )
        count, oldest = self.session.exec(query).one()
        return int(count), oldest
