"""The dashboard's incident list: one organisation's incidents, filtered, open ones first,
a page at a time (a year of incidents is never read whole)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.storage.models import Incident, IncidentOrg


@dataclass(frozen=True)
class Listing:
    incidents: Sequence[Incident]
    total: int  # how many match, over every page


class DashboardRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def listing(
        self,
        viewer_org: str,
        *,
        state: str | None = None,
        severity: int | None = None,
        with_org: str | None = None,
        exercise: bool | None = None,
        limit: int,
        offset: int,
    ) -> Listing:
        """Incidents `viewer_org` takes part in (and `with_org` too, if given): open ones
        first, the newest first within each."""
        query = _took_part(select(Incident), viewer_org)
        if with_org is not None:
            query = _took_part(query, with_org)
        if state is not None:
            query = query.where(col(Incident.state) == state)
        if severity is not None:
            query = query.where(col(Incident.severity) == severity)
        if exercise is not None:
            query = query.where(col(Incident.exercise) == exercise)
        done = case((col(Incident.state).in_(DONE_STATES), 1), else_=0)
        page = query.order_by(done, col(Incident.number).desc()).limit(limit).offset(offset)
        counted = select(func.count()).select_from(query.subquery())
        return Listing(self.session.exec(page).all(), int(self.session.exec(counted).one()))


def _took_part(query: SelectOfScalar[Incident], org: str) -> SelectOfScalar[Incident]:
    taking_part = select(col(IncidentOrg.incident_id)).where(col(IncidentOrg.org) == org)
    return query.where(col(Incident.id).in_(taking_part))
