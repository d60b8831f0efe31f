"""The indicators across incidents (`stats`, `warroom report`): per severity the count,
median and p90 times to acknowledge, contain and resolve, the share within `[goals]`, the
per-incident counts and a month-by-month trend; each organisation's clock; exercises apart.
An organisation's figures hold the incidents it took part in, and only what it may see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Sharing
from warroom.bot.domain.figures import Sample, Section, section
from warroom.bot.domain.goals import Measure
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations.org_clocks import BOT_PLATFORM, Answer, answers
from warroom.bot.operations.stats_counts import COUNTS, Views
from warroom.bot.operations.visibility import Visibility, edited_to
from warroom.storage.models import TimelineEntry
from warroom.storage.stats import IncidentTimes, Scope
from warroom.storage.store import UnitOfWork

DEFAULT_SINCE = timedelta(days=90)


@dataclass(frozen=True)
class Indicators:
    since: datetime
    until: datetime
    view: str | None  # the organisation whose figures these are; None: every incident
    severity: int | None
    real: Section
    exercises: Section  # never in the real figures


def indicators(
    uow: UnitOfWork,
    config: Config,
    *,
    now: datetime,
    since: timedelta = DEFAULT_SINCE,
    as_org: str | None = None,
    severity: int | None = None,
) -> Indicators:
    scope = Scope(since=now - since, severity=severity, org=as_org)
    times = uow.stats.times(scope)
    acts = _by_incident(uow.stats.acts(scope, bot_platform=BOT_PLATFORM)) if as_org else {}
    views = _views(uow, config, scope, acts) if as_org is not None else None
    counts = [c.count(uow, scope, views, now) for c in COUNTS]
    clocks = _answers(uow, scope, views, acts)
    samples = {t.id: _sample(t, [c.get(t.id, 0) for c in counts]) for t in times}

    def target(sev: int, measure: Measure) -> timedelta | None:
        return config.goals.target(sev, measure, as_org)

    def part(exercise: bool) -> Section:
        ids = {t.id for t in times if t.exercise is exercise}
        return section(
            [samples[i] for i in sorted(ids)],
            target,
            now,
            width=len(COUNTS),
            clocks=[(a.org, a.seconds) for a in clocks if a.incident_id in ids],
        )

    return Indicators(
        since=scope.since,
        until=now,
        view=as_org,
        severity=severity,
        real=part(False),
        exercises=part(True),
    )


def _sample(t: IncidentTimes, counts: Sequence[int]) -> Sample:
    def since_open(at: datetime | None) -> float | None:
        return round((at - t.opened_at).total_seconds(), 3) if at else None

    return Sample(
        severity=t.severity,
        opened_at=t.opened_at,
        seconds={
            Measure.ACKNOWLEDGE: since_open(t.acknowledged_at),
            Measure.CONTAIN: since_open(t.contained_at),
            Measure.RESOLVE: since_open(t.resolved_at),
        },
        counts=counts,
    )


@dataclass(frozen=True)
class _Clock:
    incident_id: int
    org: str
    seconds: float | None


def _answers(
    uow: UnitOfWork, scope: Scope, views: Views, acts: Mapping[int, Sequence[TimelineEntry]]
) -> list[_Clock]:
    if views is None or scope.org is None:
        return [
            _Clock(a.incident_id, a.org, Answer(a.org, a.brought_in_at, a.first_at).seconds)
            for a in uow.stats.first_acts(scope, bot_platform=BOT_PLATFORM)
        ]
    found: list[_Clock] = []
    for incident_id, seen in views.items():
        brought_in = uow.stats.brought_in(incident_id)
        for a in answers(seen, acts.get(incident_id, ()), brought_in, scope.org):
            found.append(_Clock(incident_id, a.org, a.seconds))
    return found


def _by_incident(entries: Sequence[TimelineEntry]) -> dict[int, list[TimelineEntry]]:
    found: dict[int, list[TimelineEntry]] = {}
    for entry in entries:
        found.setdefault(entry.incident_id, []).append(entry)
    return found


def _views(
    uow: UnitOfWork, config: Config, scope: Scope, acts: Mapping[int, Sequence[TimelineEntry]]
) -> Mapping[int, Visibility]:
    """One organisation's view of each incident in scope, as the disclosure rule needs it."""
    orgs = uow.stats.orgs(scope)
    incidents = uow.stats.incidents(list(orgs))
    homes = uow.reminders.home_orgs(list(orgs))
    return {
        i.id: Visibility(
            incident=i,
            sharing=Sharing(config.sharing, frozenset(orgs[i.id])),
            home=homes.get(i.id, ""),
            edited_to=edited_to([e for e in acts.get(i.id, ()) if e.kind == EntryKind.EDITED]),
            multi_room_orgs=frozenset(),  # a view is never a room
            language=config.language,
        )
        for i in incidents
        if i.id is not None
    }
