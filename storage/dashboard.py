"""The dashboard's incident list: one organisation's incidents, filtered, open ones first,
the newest first within each, a page at a time (a year of incidents is never read whole).

The done part walks the incidents by number, newest first, and stops once the page is full:
its `state` is compared as `state || ''` so that SQLite does not pick the state index and
then sort every closed incident of the year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.storage.models import Incident, IncidentOrg

DONE = [s.value for s in DONE_STATES]


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after incident `number` of the open or the done part."""

    done: bool
    number: int


@dataclass(frozen=True)
class Listing:
    incidents: Sequence[Incident]
    next: Cursor | None  # None: this is the last page


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
        after: Cursor | None = None,
    ) -> Listing:
        """Incidents `viewer_org` takes part in (and `with_org` too, if given), a page of
        `limit` from `after` on (keyset paging: a late page costs what the first does)."""
        query = _took_part(select(Incident), viewer_org)
        if with_org is not None:
            query = _took_part(query, with_org)
        if severity is not None:
            query = query.where(col(Incident.severity) == severity)
        if exercise is not None:
            query = query.where(col(Incident.exercise) == exercise)
        if state is not None:
            done = state in DONE
            part = query.where((_state() if done else col(Incident.state)) == state)
            found = self._page(part, limit + 1, after.number if after else None)
            return _listing([(done, i) for i in found], limit)
        rows: list[tuple[bool, Incident]] = []
        if after is None or not after.done:
            # few are open: the state index finds them, and they are sorted
            open_part = query.where(col(Incident.state).not_in(DONE))
            found = self._page(open_part, limit + 1, after.number if after else None)
            rows = [(False, i) for i in found]
        if len(rows) <= limit:
            before = after.number if after is not None and after.done else None
            done_part = query.where(_state().in_(DONE))
            rows += [(True, i) for i in self._page(done_part, limit + 1 - len(rows), before)]
        return _listing(rows, limit)

    def _page(
        self, query: SelectOfScalar[Incident], limit: int, before: int | None
    ) -> list[Incident]:
        if before is not None:
            query = query.where(col(Incident.number) < before)
        ordered = query.order_by(col(Incident.number).desc()).limit(limit)
        return list(self.session.exec(ordered).all())


def _listing(rows: list[tuple[bool, Incident]], limit: int) -> Listing:
    if len(rows) <= limit:
        return Listing([i for _, i in rows], None)
    done, last = rows[limit - 1]
    return Listing([i for _, i in rows[:limit]], Cursor(done, last.number))


def _state() -> Any:
    return col(Incident.state).concat("")


def _took_part(query: SelectOfScalar[Incident], org: str) -> SelectOfScalar[Incident]:
    taking_part = exists().where(
        col(IncidentOrg.incident_id) == col(Incident.id), col(IncidentOrg.org) == org
    )
    return query.where(taking_part)
