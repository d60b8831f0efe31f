"""Indicators across incidents, as pure arithmetic over samples: counts, exact percentiles
(nearest rank: the smallest observed value with at least p % of the values at or below it)
and the share of incidents that met their goal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from warroom.bot.domain.goals import MEASURES, Measure


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The nearest-rank percentile of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, (percent * len(ordered) + 99) // 100)
    return ordered[rank - 1]


@dataclass(frozen=True)
class Sample:
    """One incident as the figures read it: seconds from opening to each measure (None: not
    reached yet), and the per-incident counts (tasks done, ...) in the order of the counts."""

    severity: int
    opened_at: datetime
    seconds: Mapping[Measure, float | None]
    counts: Sequence[int] = ()


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
    total: Row | None = None


Target = Callable[[int, Measure], timedelta | None]  # (severity, measure) -> the goal


def spread(
    samples: Sequence[Sample], measure: Measure, target: timedelta | None, now: datetime
) -> Spread:
    values = [s.seconds[measure] for s in samples]
    reached = [v for v in values if v is not None]
    within = decided = 0
    if target is not None:
        limit = target.total_seconds()
        for sample, value in zip(samples, values, strict=True):
            if value is not None:
                decided += 1
                within += value <= limit
            elif (now - sample.opened_at).total_seconds() > limit:
                decided += 1  # still not there, past its goal: missed
    return Spread(
        reached=len(reached),
        median=nearest_rank(reached, 50),
        p90=nearest_rank(reached, 90),
        within=within,
        decided=decided,
        target=target,
    )


def row(label: str, samples: Sequence[Sample], target: Target, now: datetime, width: int) -> Row:
    """The figures of `samples`; a target per severity (a month mixes severities: each
    incident is judged against its own severity's goal)."""
    spreads: dict[Measure, Spread] = {}
    for measure in MEASURES:
        by_sev: dict[int, list[Sample]] = {}
        for sample in samples:
            by_sev.setdefault(sample.severity, []).append(sample)
        parts = [
            spread(group, measure, target(sev, measure), now) for sev, group in by_sev.items()
        ]
        whole = spread(samples, measure, None, now)
        spreads[measure] = Spread(
            reached=whole.reached,
            median=whole.median,
            p90=whole.p90,
            within=sum(p.within for p in parts),
            decided=sum(p.decided for p in parts),
            target=parts[0].target if len(parts) == 1 else None,
        )
    counts = [sum(s.counts[i] for s in samples) for i in range(width)]
    return Row(label=label, count=len(samples), spreads=spreads, counts=counts)


def section(
    samples: Sequence[Sample],
    target: Target,
    now: datetime,
    *,
    width: int,
    clocks: Iterable[tuple[str, float | None]] = (),
) -> Section:
    """Per severity, per month (UTC, by opening) and per organisation's clock."""
    by_sev: dict[int, list[Sample]] = {}
    by_month: dict[str, list[Sample]] = {}
    for sample in samples:
        by_sev.setdefault(sample.severity, []).append(sample)
        by_month.setdefault(month(sample.opened_at), []).append(sample)
    return Section(
        rows=[row(str(sev), by_sev[sev], target, now, width) for sev in sorted(by_sev)],
        months=[row(m, by_month[m], target, now, width) for m in sorted(by_month)],
        clocks=org_clocks(clocks),
        total=row("", samples, target, now, width) if samples else None,
    )


def month(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


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
