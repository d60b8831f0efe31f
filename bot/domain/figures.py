"""Indicators across incidents, as pure arithmetic over samples: counts, exact percentiles
(nearest rank: the smallest observed value with at least p % of the values at or below it)
and the share of incidents that met their goal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from warroom.bot.domain.goals import MEASURES, Measure


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The nearest-rank percentile of `values`; None when there are none."""
    return _ranked(sorted(values), percent)


class Sample(NamedTuple):
    """One incident as the figures read it: seconds from opening to each measure, in the
    order of MEASURES (None: not reached yet), its age now, the month (UTC) it was opened
    in. A tuple: a year holds a hundred thousand of them."""

    id: int
    severity: int
    month: str
    age_s: float
    seconds: tuple[float | None, ...]


@dataclass(frozen=True)
class Spread:
    """One measure over a set of incidents."""

    reached: int
    median: float | None
    p90: float | None
    within: int = 0  # met the target
    decided: int = 0  # met it or missed it (one still in time, or without a goal, is neither)
    target: timedelta | None = None  # the goal, where the row has one severity

    @property
    def share(self) -> float | None:
        """The share within target, 0 to 1; None when no incident was decided."""
        return self.within / self.decided if self.decided else None


@dataclass(frozen=True)
class Row:
    """The figures of one severity (or one month)."""

    label: str  # "1" to "4" for a severity, "2026-11" for a month
    count: int
    spreads: Mapping[Measure, Spread]
    counts: Sequence[int] = ()


@dataclass(frozen=True)
class OrgClock:
    """How fast an organisation answers once it is brought into an incident."""

    org: str
    brought_in: int
    answered: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Section:
    """Real incidents, or exercises: never mixed."""

    rows: Sequence[Row] = ()
    months: Sequence[Row] = ()
    clocks: Sequence[OrgClock] = ()
    count: int = 0


Target = Callable[[int, Measure], timedelta | None]  # (severity, measure) -> the goal


def row(label: str, samples: Sequence[Sample], target: Target, counts: Sequence[int]) -> Row:
    """The figures of `samples`, each incident judged against its own severity's goal (a
    month mixes severities): met it; missed it (reached it late, or not yet with the goal
    past); or not judged yet (still within its time, or no goal). Each severity's samples
    are judged together, in comprehensions: a year is a hundred thousand of them."""
    by_sev: dict[int, list[Sample]] = {}
    for sample in samples:
        by_sev.setdefault(sample.severity, []).append(sample)
    spreads: dict[Measure, Spread] = {}
    for index, measure in enumerate(MEASURES):
        goals = {sev: target(sev, measure) for sev in by_sev}
        reached: list[float] = []
        within = decided = 0
        for sev, group in by_sev.items():
            values = [s.seconds[index] for s in group]
            hit = [v for v in values if v is not None]
            reached += hit
            goal = goals[sev]
            if goal is None:
                continue
            limit = goal.total_seconds()
            within += sum(1 for v in hit if v <= limit)
            overdue = sum(
                1 for s, v in zip(group, values, strict=True) if v is None and s.age_s > limit
            )
            decided += len(hit) + overdue
        reached.sort()
        spreads[measure] = Spread(
            reached=len(reached),
            median=_ranked(reached, 50),
            p90=_ranked(reached, 90),
            within=within,
            decided=decided,
            target=next(iter(goals.values())) if len(goals) == 1 else None,
        )
    return Row(label=label, count=len(samples), spreads=spreads, counts=counts)


def _ranked(ordered: Sequence[float], percent: int) -> float | None:
    """nearest_rank over values already sorted."""
    if not ordered:
        return None
    return ordered[max(1, (percent * len(ordered) + 99) // 100) - 1]


def section(
    samples: Sequence[Sample],
    target: Target,
    *,
    counts: Sequence[Mapping[int, int]] = (),
    clocks: Iterable[tuple[str, float | None]] = (),
) -> Section:
    """Per severity, per month (UTC, by opening) and per organisation's clock; `counts`
    are per-incident counts by incident id (tasks done, ...), summed per row."""
    by_sev: dict[int, list[Sample]] = {}
    by_month: dict[str, list[Sample]] = {}
    for sample in samples:
        by_sev.setdefault(sample.severity, []).append(sample)
        by_month.setdefault(sample.month, []).append(sample)
    by_id = {s.id: s for s in samples}
    sev_sums = {sev: [0] * len(counts) for sev in by_sev}
    month_sums = {m: [0] * len(counts) for m in by_month}
    for index, count in enumerate(counts):
        for incident_id, n in count.items():  # sparse: only incidents with any
            if (counted := by_id.get(incident_id)) is not None:
                sev_sums[counted.severity][index] += n
                month_sums[counted.month][index] += n
    return Section(
        rows=[row(str(sev), by_sev[sev], target, sev_sums[sev]) for sev in sorted(by_sev)],
        months=[row(m, by_month[m], target, month_sums[m]) for m in sorted(by_month)],
        clocks=org_clocks(clocks),
        count=len(samples),
    )


def org_clocks(answers: Iterable[tuple[str, float | None]]) -> list[OrgClock]:
    """Per organisation: (org, seconds to its first act, None if it has not acted yet)."""
    by_org: dict[str, list[float | None]] = {}
    for org, seconds in answers:
        by_org.setdefault(org, []).append(seconds)
    clocks = []
    for org in sorted(by_org):
        answered = [s for s in by_org[org] if s is not None]
        clocks.append(
            OrgClock(
                org=org,
                brought_in=len(by_org[org]),
                answered=len(answered),
                median=nearest_rank(answered, 50),
                p90=nearest_rank(answered, 90),
            )
        )
    return clocks
