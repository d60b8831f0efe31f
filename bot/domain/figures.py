"""Indicators across incidents, as pure arithmetic over samples: counts, exact percentiles
(nearest rank: the smallest observed value with at least p % of the values at or below it)
and the share of incidents that met their goal."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from operator import is_not, itemgetter
from typing import Any, NamedTuple

from warroom.bot.domain.goals import MEASURES, Measure


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The nearest-rank percentile of `values`; None when there are none."""
    return _ranked(sorted(values), percent)


class Sample(NamedTuple):
    """One incident as the figures read it: seconds from opening to each measure, in the
    order of MEASURES (None: not reached yet), its age now, the month (UTC) it was opened
    in."""

    id: int
    severity: int
    month: str
    age_s: float
    seconds: tuple[float | None, ...]


@dataclass(frozen=True)
class Samples:
    """Incidents as the figures read them, column by column: a year holds a hundred thousand
    of them, and a column is picked, filtered and sorted at C speed where a row each would
    be a Python object each. `seconds` holds one column per measure, in MEASURES' order."""

    ids: Sequence[int] = ()
    severities: Sequence[int] = ()
    months: Sequence[str] = ()
    ages: Sequence[float] = ()
    seconds: Sequence[Sequence[float | None]] = tuple(() for _ in MEASURES)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Samples:
        return cls(
            ids=[s.id for s in samples],
            severities=[s.severity for s in samples],
            months=[s.month for s in samples],
            ages=[s.age_s for s in samples],
            seconds=[[s.seconds[i] for s in samples] for i in range(len(MEASURES))],
        )

    def pick(self, positions: Sequence[int]) -> Samples:
        """The incidents at these positions, in that order."""
        take = _taker(positions)
        return Samples(
            ids=take(self.ids),
            severities=take(self.severities),
            months=take(self.months),
            ages=take(self.ages),
            seconds=[take(column) for column in self.seconds],
        )

    def groups(self, *keys: Sequence[Hashable]) -> dict[Any, list[int]]:
        """The positions of the incidents, grouped by one of their columns (severity,
        month) or by a pair of them (a tuple each)."""
        positions: dict[Hashable, list[int]] = {}
        for at, value in enumerate(keys[0] if len(keys) == 1 else zip(*keys, strict=True)):
            positions.setdefault(value, []).append(at)
        return positions


def _taker(positions: Sequence[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    if len(positions) > 1:
        getter = itemgetter(*positions)
        return lambda column: getter(column)  # a tuple, built in C
    return lambda column: [column[at] for at in positions]


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


@dataclass(frozen=True)
class _Cell:
    """Incidents of one severity (and one month), measure by measure: the seconds to each,
    sorted, and the ages of those that have not reached it. A row is made of cells: the
    share within a goal is where the goal falls in each cell's sorted values, and a row's
    percentiles come from merging its cells' runs."""

    severity: int
    count: int
    reached: tuple[list[float], ...]
    waiting: tuple[list[float], ...]


def _cell(severity: int, samples: Samples, positions: Sequence[int]) -> _Cell:
    take = _taker(positions)
    ages = take(samples.ages)
    reached, waiting = [], []
    for column in samples.seconds:
        values = take(column)
        late = _positions_of_none(values)
        hit = list(filter(_is_set, values)) if late else list(values)
        hit.sort()
        reached.append(hit)
        waiting.append([ages[at] for at in late])
    return _Cell(severity, len(positions), tuple(reached), tuple(waiting))


_is_set = partial(is_not, None)


def _positions_of_none(values: Sequence[float | None]) -> list[int]:
    """Where the measure was not reached: few, found by the sequence's own search."""
    found: list[int] = []
    at = -1
    with suppress(ValueError):
        while True:
            at = values.index(None, at + 1)
            found.append(at)
    return found


def row(label: str, samples: Samples, target: Target, counts: Sequence[int]) -> Row:
    """The figures of `samples`, each incident judged against its own severity's goal (a
    month mixes severities): met it; missed it (reached it late, or not yet with the goal
    past); or not judged yet (still within its time, or no goal)."""
    groups = samples.groups(samples.severities)
    cells = [_cell(sev, samples, where) for sev, where in groups.items()]
    return _row(label, cells, target, counts)


def _row(label: str, cells: Sequence[_Cell], target: Target, counts: Sequence[int]) -> Row:
    spreads: dict[Measure, Spread] = {}
    for index, measure in enumerate(MEASURES):
        goals = {cell.severity: target(cell.severity, measure) for cell in cells}
        reached: list[float] = []
        within = decided = 0
        for cell in cells:
            hit = cell.reached[index]
            reached += hit
            goal = goals[cell.severity]
            if goal is None:
                continue
            limit = goal.total_seconds()
            within += bisect_right(hit, limit)
            decided += len(hit) + len([age for age in cell.waiting[index] if age > limit])
        reached.sort()  # sorted runs: merged
        spreads[measure] = Spread(
            reached=len(reached),
            median=_ranked(reached, 50),
            p90=_ranked(reached, 90),
            within=within,
            decided=decided,
            target=next(iter(goals.values())) if len(goals) == 1 else None,
        )
    return Row(label=label, count=sum(c.count for c in cells), spreads=spreads, counts=counts)


def _ranked(ordered: Sequence[float], percent: int) -> float | None:
    """nearest_rank over values already sorted."""
    if not ordered:
        return None
    return ordered[max(1, (percent * len(ordered) + 99) // 100) - 1]


def section(
    samples: Samples,
    target: Target,
    *,
    counts: Sequence[Mapping[int, int]] = (),
    clocks: Iterable[tuple[str, float | None]] = (),
) -> Section:
    """Per severity, per month (UTC, by opening) and per organisation's clock; `counts`
    are per-incident counts by incident id (tasks done, ...), summed per row. The incidents
    are read once, into cells of one severity and month each, that the rows share."""
    groups = samples.groups(samples.severities, samples.months)
    cells = {key: _cell(key[0], samples, where) for key, where in groups.items()}
    by_sev: dict[int, list[_Cell]] = {}
    by_month: dict[str, list[_Cell]] = {}
    for (sev, month), cell in sorted(cells.items()):
        by_sev.setdefault(sev, []).append(cell)
        by_month.setdefault(month, []).append(cell)
    where = {incident_id: at for at, incident_id in enumerate(samples.ids)}
    sev_sums = {sev: [0] * len(counts) for sev in by_sev}
    month_sums = {m: [0] * len(counts) for m in by_month}
    for index, count in enumerate(counts):
        for incident_id, n in count.items():  # sparse: only incidents with any
            if (at := where.get(incident_id)) is not None:
                sev_sums[samples.severities[at]][index] += n
                month_sums[samples.months[at]][index] += n
    return Section(
        rows=[_row(str(sev), by_sev[sev], target, sev_sums[sev]) for sev in sorted(by_sev)],
        months=[_row(m, by_month[m], target, month_sums[m]) for m in sorted(by_month)],
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
