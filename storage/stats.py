"""The reads behind the indicators: incidents in a period, what their tasks and their
organisations did. Whole columns in few queries, so a year of incidents reads quickly."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, and_, bindparam, cast, func, type_coerce
from sqlalchemy import select as columns
from sqlalchemy.orm import aliased
from sqlalchemy.types import NullType
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from warroom.bot.domain.figures import Samples
from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.storage.models import Followup, Incident, IncidentOrg, Outbox, Task, TimelineEntry


@dataclass(frozen=True)
class Scope:
    """Incidents opened since `since` (of one severity, one organisation took part in)."""

    since: datetime
    severity: int | None = None
    org: str | None = None


@dataclass(frozen=True)
class FirstAct:
    """An organisation brought into an incident, and seconds to its first act (None: none
    yet)."""

    incident_id: int
    org: str
    seconds: float | None


_UNIX_EPOCH_JULIAN_DAY = 2440587.5


def _millis(dialect: str, start: Any, end: Any) -> Any:
    """Whole milliseconds from `start` to `end` in SQL (NULL if either is): the database
    subtracts, so a year of incidents is not turned into Python datetimes one by one, and
    hands over integers (SQLite's date functions count whole milliseconds; julianday's
    float is a few microseconds off, so the count is rounded)."""
    if dialect == "postgresql":
        millis: Any = func.round(func.extract("epoch", end - start) * 1000)
    else:
        millis = func.round((func.julianday(end) - func.julianday(start)) * 86400000.0)
    return type_coerce(cast(millis, BigInteger), NullType())


def _age(dialect: str, start: Any, now: datetime) -> Any:
    """Milliseconds from `start` to `now`. SQLite is given `now` as a Julian day number, so
    it parses one time a row, not two."""
    if dialect == "postgresql":
        at_now = bindparam("now", now, type_=Incident.__table__.c.opened_at.type)  # type: ignore[attr-defined]
        return _millis(dialect, start, at_now)
    julian = now.timestamp() / 86400.0 + _UNIX_EPOCH_JULIAN_DAY
    millis: Any = func.round(
        (bindparam("now_julian", julian) - func.julianday(start)) * 86400000.0
    )
    return type_coerce(cast(millis, BigInteger), NullType())


def _seconds(millis: Sequence[int | None]) -> list[float | None]:
    return [None if ms is None else ms / 1000 for ms in millis]


def _month(dialect: str, at: Any) -> Any:
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", at), "YYYY-MM")
    return func.substr(at, 1, 7)  # SQLite keeps UTC times as ISO 8601 text


class Marked(NamedTuple):
    """An item's text as the rule reads it (its TLP label, who said it), and its incident."""

    incident_id: int
    text: str
    tlp: str
    said_org: str


class OpenFollowup(NamedTuple):
    """A follow-up not done yet, as the counts read it."""

    incident_id: int
    text: str
    tlp: str
    said_org: str
    due_at: datetime | None


@dataclass(frozen=True)
class OpenCount:
    severity: int
    org: str
    exercise: bool
    count: int


def _took_part(org: str) -> SelectOfScalar[int]:
    return select(col(IncidentOrg.incident_id)).where(col(IncidentOrg.org) == org)


def _ids(scope: Scope) -> SelectOfScalar[int | None]:
    query = select(col(Incident.id)).where(col(Incident.opened_at) >= scope.since)
    if scope.severity is not None:
        query = query.where(col(Incident.severity) == scope.severity)
    if scope.org is not None:
        query = query.where(col(Incident.id).in_(_took_part(scope.org)))
    return query


CHUNK = 500  # ids per IN list: well within every database's limit on parameters


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for at in range(0, len(ordered), CHUNK):
        yield ordered[at : at + CHUNK]


class StatsRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.connection().dialect.name

    def samples(self, scope: Scope, now: datetime) -> tuple[Samples, Samples]:
        """The incidents in scope as the figures read them (seconds from opening to each
        measure, age, month of opening): the real ones, and the exercises apart."""
        dialect, opened = self._dialect, col(Incident.opened_at)
        query = columns(
            col(Incident.id),
            col(Incident.severity),
            type_coerce(col(Incident.exercise), NullType()),  # 0/1 on SQLite: bool() below
            _month(dialect, opened),
            _age(dialect, opened, now),
            _millis(dialect, opened, col(Incident.acknowledged_at)),
            _millis(dialect, opened, col(Incident.contained_at)),
            _millis(dialect, opened, col(Incident.resolved_at)),
        ).where(opened >= scope.since)
        if scope.severity is not None:
            query = query.where(col(Incident.severity) == scope.severity)
        if scope.org is not None:
            query = query.where(col(Incident.id).in_(_took_part(scope.org)))
        rows = self.session.connection().execute(query).all()
        if not rows:
            return Samples(), Samples()
        ids, severities, exercise, months, ages, *reached = zip(*rows, strict=True)
        everything = Samples(
            ids=ids,
            severities=severities,
            months=months,
            ages=[ms / 1000 for ms in ages],
            seconds=[_seconds(column) for column in reached],
        )
        real = everything.pick([at for at, drill in enumerate(exercise) if not drill])
        exercises = everything.pick([at for at, drill in enumerate(exercise) if drill])
        return real, exercises

    def tasks_done(self, scope: Scope, *, said_by: str | None = None) -> dict[int, int]:
        """Incident id -> its tasks done (of those `said_by` added, if given)."""
        query = (
            select(col(Task.incident_id), func.count())
            .where(col(Task.incident_id).in_(_ids(scope)), col(Task.done_at).is_not(None))
            .group_by(col(Task.incident_id))
        )
        if said_by is not None:
            query = query.where(col(Task.said_org) == said_by)
        return {incident_id: int(n) for incident_id, n in self.session.exec(query)}

    def done_tasks(self, scope: Scope, *, not_said_by: str) -> list[Marked]:
        """The tasks done in scope that organisations other than `not_said_by` added, as
        rows: a year of them is read for the rule alone."""
        query = columns(
            col(Task.incident_id), col(Task.text), col(Task.tlp), col(Task.said_org)
        ).where(
            col(Task.incident_id).in_(_ids(scope)),
            col(Task.done_at).is_not(None),
            col(Task.said_org) != not_said_by,
        )
        return [Marked(*row) for row in self.session.connection().execute(query).all()]

    def orgs_of(self, ids: Collection[int]) -> dict[int, frozenset[str]]:
        """Each incident's organisations: what the rule needs to know of it."""
        found: dict[int, set[str]] = {}
        for part in _chunks(ids):
            query = columns(col(IncidentOrg.incident_id), col(IncidentOrg.org)).where(
                col(IncidentOrg.incident_id).in_(part)
            )
            for incident_id, org in self.session.connection().execute(query):
                found.setdefault(incident_id, set()).add(org)
        return {incident_id: frozenset(orgs) for incident_id, orgs in found.items()}

    def open_followups(self, scope: Scope) -> list[OpenFollowup]:
        """The follow-ups not done yet of the incidents in scope (they outlive the incident,
        so a closed one's count too)."""
        query = columns(
            col(Followup.incident_id),
            col(Followup.text),
            col(Followup.tlp),
            col(Followup.said_org),
            col(Followup.due_at),
        ).where(col(Followup.incident_id).in_(_ids(scope)), col(Followup.done_at).is_(None))
        return [OpenFollowup(*row) for row in self.session.connection().execute(query)]

    def first_acts(self, scope: Scope, *, bot_platform: str) -> list[FirstAct]:
        """Every organisation brought into an incident in scope after it was opened by
        another, with the seconds to the first entry one of its people made from then on."""
        opened = aliased(TimelineEntry)
        act = aliased(TimelineEntry)
        first = _millis(self._dialect, col(IncidentOrg.joined_at), func.min(col(act.at)))
        query = (
            columns(col(IncidentOrg.incident_id), col(IncidentOrg.org), first)
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
        rows = self.session.connection().execute(query).all()
        return [FirstAct(int(i), org, None if ms is None else ms / 1000) for i, org, ms in rows]

    def acts(self, scope: Scope, *, bot_platform: str, reader: str) -> Sequence[TimelineEntry]:
        """What people of organisations other than `reader` and the opener's recorded in
        incidents in scope (edits included: an edit may raise an entry's TLP), in order: the
        entries one organisation's view of the others' clocks depends on."""
        opened = aliased(TimelineEntry)
        query = (
            select(TimelineEntry)
            .join(
                opened,
                and_(
                    col(opened.incident_id) == col(TimelineEntry.incident_id),
                    col(opened.seq) == 1,
                ),
            )
            .where(
                col(TimelineEntry.incident_id).in_(_ids(scope)),
                col(TimelineEntry.actor_platform) != bot_platform,
                col(TimelineEntry.actor_org) != reader,
                col(TimelineEntry.actor_org) != col(opened.actor_org),
            )
            .order_by(col(TimelineEntry.incident_id), col(TimelineEntry.seq))
        )
        return self.session.exec(query).all()

    def incidents(self, ids: Collection[int]) -> list[Incident]:
        found: list[Incident] = []
        for part in _chunks(ids):
            found += self.session.exec(select(Incident).where(col(Incident.id).in_(part)))
        return found

    def joined(self, ids: Collection[int]) -> dict[int, list[tuple[str, datetime]]]:
        """Each incident's organisations and when each was brought in, in that order."""
        found: dict[int, list[tuple[str, datetime]]] = {}
        for part in _chunks(ids):
            query = (
                select(
                    col(IncidentOrg.incident_id), col(IncidentOrg.org), col(IncidentOrg.joined_at)
                )
                .where(col(IncidentOrg.incident_id).in_(part))
                .order_by(col(IncidentOrg.joined_at), col(IncidentOrg.org))
            )
            for incident_id, org, at in self.session.exec(query):
                found.setdefault(incident_id, []).append((org, at))
        return found

    def homes(self, ids: Collection[int]) -> dict[int, str]:
        """The organisation that opened each incident (its first entry's)."""
        found: dict[int, str] = {}
        for part in _chunks(ids):
            query = select(col(TimelineEntry.incident_id), col(TimelineEntry.actor_org)).where(
                col(TimelineEntry.incident_id).in_(part), col(TimelineEntry.seq) == 1
            )
            found.update(dict(self.session.exec(query).all()))
        return found

    def brought_in(self, incident_id: int) -> list[tuple[str, datetime]]:
        """The incident's organisations and when each was brought in, in that order."""
        return self.joined([incident_id]).get(incident_id, [])

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
