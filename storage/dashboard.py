"""The dashboard's incident list: one organisation's incidents, filtered, open ones first,
the newest first within each, a page at a time (a year of incidents is never read whole).

Each part walks the incidents by number, newest first, and stops once the page is full:
`state` is compared as `state || ''` so that SQLite does not pick the state index and then
sort every closed incident of the year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.storage.models import Incident, IncidentOrg

DONE = [s.value for s in DONE_STATES]


@dataclass(frozen=True)
class Listing:
    incidents: Sequence[Incident]
    more: bool  # another page follows


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
        """Incidents `viewer_org` takes part in (and `with_org` too, if given)."""
        query = _took_part(select(Incident), viewer_org)
        if with_org is not None:
            query = _took_part(query, with_org)
        if severity is not None:
            query = query.where(col(Incident.severity) == severity)
        if exercise is not None:
            query = query.where(col(Incident.exercise) == exercise)
        if state is not None:
            found = self._page(query.where(_state() == state), limit + 1, offset)
            return Listing(found[:limit], len(found) > limit)
        open_part = query.where(_state().not_in(DONE))
        found = self._page(open_part, limit + 1, offset)
        if len(found) <= limit:
            open_count = offset + len(found) if found or not offset else self._count(open_part)
            done_part = query.where(_state().in_(DONE))
            found += self._page(done_part, limit + 1 - len(found), max(0, offset - open_count))
        return Listing(found[:limit], len(found) > limit)

    def _page(self, query: SelectOfScalar[Incident], limit: int, offset: int) -> list[Incident]:
        ordered = query.order_by(col(Incident.number).desc()).limit(limit).offset(offset)
        return list(self.session.exec(ordered).all())

    def _count(self, query: SelectOfScalar[Incident]) -> int:
        return int(self.session.exec(select(func.count()).select_from(query.subquery())).one())


def _state() -> Any:
    return col(Incident.state).concat("")


def _took_part(query: SelectOfScalar[Incident], org: str) -> SelectOfScalar[Incident]:
    taking_part = exists().where(
        col(IncidentOrg.incident_id) == col(Incident.id), col(IncidentOrg.org) == org
    )
    return query.where(taking_part)
