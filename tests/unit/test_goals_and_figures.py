"""`[goals]` read from config (every mistake names its key) and the figures' arithmetic:
nearest-rank percentiles and the share within goal, from known values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.bot.config import ConfigError, parse_config
from warroom.bot.domain.figures import Sample, Samples, nearest_rank, org_clocks, row, section
from warroom.bot.domain.goals import Measure

ORGS = [{"id": "acme"}, {"id": "cert"}]


def goals(table: dict[str, Any]) -> Any:
    return parse_config({"orgs": ORGS, "goals": table}).goals


def test_an_orgs_own_goal_wins_measure_by_measure_over_the_default() -> None:
    found = goals(
        {
            "sev1": {"acknowledge": "15m", "resolve": "1d"},
            "orgs": {"cert": {"sev1": {"acknowledge": "30m"}}},
        }
    )
    assert found.target(1, Measure.ACKNOWLEDGE) == timedelta(minutes=15)
    assert found.target(1, Measure.ACKNOWLEDGE, "cert") == timedelta(minutes=30)
    assert found.target(1, Measure.RESOLVE, "cert") == timedelta(days=1)
    assert found.target(1, Measure.CONTAIN, "acme") is None
    assert found.target(2, Measure.RESOLVE) is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"sev5": {}}, "config: goals.sev5: unknown key; expected sev1, sev2, sev3 or sev4"),
        (
            {"sev1": {"ack": "1m"}},
            "config: goals.sev1.ack: unknown key; expected acknowledge, contain, resolve",
        ),
        (
            {"sev1": {"acknowledge": "soon"}},
            "config: goals.sev1.acknowledge: 'soon' is not a duration like 45s, 30m, 1h or 1d",
        ),
        (
            {"sev2": {"resolve": 30}},
            'config: goals.sev2.resolve: must be a duration string like "4h"',
        ),
        ({"sev1": "1h"}, 'config: goals.sev1: must be a table like { acknowledge = "15m" }'),
        ({"orgs": {"nope": {}}}, "config: goals.orgs.nope: unknown org 'nope'"),
        (
            {"orgs": {"cert": {"sev1": {"contain": "0m"}}}},
            "config: goals.orgs.cert.sev1.contain: '0m' is not a duration like 45s, 30m, 1h or 1d",
        ),
        ({"orgs": "cert"}, "config: goals.orgs: must be a table of org ids ([goals.orgs.ORG])"),
    ],
)
def test_a_malformed_goal_names_its_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        goals(table)
    assert str(caught.value) == message


def test_goals_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="config: goals: must be a table"):
        parse_config({"goals": ["sev1"]})


def test_nearest_rank_is_an_observed_value() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert nearest_rank(values, 50) == 20.0  # rank ceil(0.5 * 4) = 2
    assert nearest_rank(values, 90) == 40.0  # rank ceil(0.9 * 4) = 4
    assert nearest_rank([7.0], 90) == 7.0
    assert nearest_rank(list(map(float, range(1, 11))), 90) == 9.0  # rank 9 of 10
    assert nearest_rank([], 50) is None


def sample(sev: int, age: float, acknowledged: float | None, number: int = 0) -> Sample:
    """Acknowledged after so many seconds (None: not yet); never contained nor resolved."""
    return Sample(number, sev, "2026-01", age, (acknowledged, None, None))


def test_an_incident_is_judged_once_it_met_or_missed_its_goal() -> None:
    hour = timedelta(hours=1)
    found = [
        sample(1, 9000, 600.0),  # met
        sample(1, 9000, 7200.0),  # reached, late: missed
        sample(1, 9000, None),  # never reached, its hour long gone: missed
        sample(1, 1800, None),  # still within its hour: not judged yet
    ]
    judged = row("1", Samples.of(found), lambda sev, measure: hour, [0]).spreads[
        Measure.ACKNOWLEDGE
    ]
    assert (judged.within, judged.decided, judged.share, judged.target) == (1, 3, 1 / 3, hour)
    assert (judged.reached, judged.median, judged.p90) == (2, 600.0, 7200.0)
    free = row("1", Samples.of(found), lambda sev, measure: None, [0]).spreads[Measure.ACKNOWLEDGE]
    assert (free.within, free.decided, free.share) == (0, 0, None)


def test_a_section_judges_each_severity_against_its_own_goal() -> None:
    targets = {1: timedelta(minutes=10), 2: timedelta(minutes=100)}
    found = section(
        Samples.of(
            [sample(1, 1e6, 300.0, 1), sample(2, 1e6, 3000.0, 2), sample(1, 1e6, 3000.0, 3)]
        ),
        lambda sev, measure: targets[sev] if measure is Measure.ACKNOWLEDGE else None,
        counts=[{1: 2, 3: 1, 99: 5}],  # 99 is no incident of these: not counted
    )
    sev1, sev2 = found.rows
    assert (sev1.count, sev1.counts, sev2.count, sev2.counts) == (2, [3], 1, [0])
    assert sev1.spreads[Measure.ACKNOWLEDGE].target == timedelta(minutes=10)
    (month,) = found.months
    spread = month.spreads[Measure.ACKNOWLEDGE]
    assert (spread.median, spread.p90, spread.within, spread.decided) == (3000.0, 3000.0, 2, 3)
    assert spread.target is None  # a month mixes severities: no one goal to name
    assert found.count == 3


def test_each_orgs_clock_counts_who_answered() -> None:
    (cert, cloud) = org_clocks([("cert", 60.0), ("cloud", None), ("cert", 120.0)])
    assert (cert.org, cert.brought_in, cert.answered, cert.median, cert.p90) == (
        "cert",
        2,
        2,
        60.0,
        120.0,
    )
    assert (cloud.brought_in, cloud.answered, cloud.median) == (1, 0, None)


# --- the figures against their definition, on any mix of incidents -----------------------

# on a coarse grid, so that values fall on the goals themselves as often as beside them
whole = st.integers(0, 40).map(float)
seconds_or_none = st.one_of(st.none(), whole)
samples_st = st.lists(
    st.builds(
        Sample,
        id=st.integers(0, 10**6),
        severity=st.integers(1, 4),
        month=st.sampled_from(["2026-01", "2026-02", "2026-03"]),
        age_s=whole,
        seconds=st.tuples(seconds_or_none, seconds_or_none, seconds_or_none),
    ),
    max_size=60,
)
goals_st = st.dictionaries(
    st.tuples(st.integers(1, 4), st.sampled_from(list(Measure))),
    st.integers(1, 40).map(lambda s: timedelta(seconds=s)),
)


def expected_row(group: list[Sample], target: Any) -> dict[Measure, tuple[Any, ...]]:
    """A row's figures straight from their definition, incident by incident."""
    found = {}
    for index, measure in enumerate(Measure):
        reached = sorted(v for s in group if (v := s.seconds[index]) is not None)
        within = decided = 0
        for s in group:
            goal = target(s.severity, measure)
            if goal is None:
                continue
            value, limit = s.seconds[index], goal.total_seconds()
            within += value is not None and value <= limit
            decided += value is not None or s.age_s > limit
        found[measure] = (
            len(reached),
            nearest_rank(reached, 50),
            nearest_rank(reached, 90),
            within,
            decided,
        )
    return found


@given(samples_st, goals_st)
def test_every_row_holds_the_figures_of_its_definition(
    found: list[Sample], table: dict[tuple[int, Measure], timedelta]
) -> None:
    def target(sev: int, measure: Measure) -> timedelta | None:
        return table.get((sev, measure))

    part = section(Samples.of(found), target)
    assert part.count == len(found)
    rows = [(r, [s for s in found if str(s.severity) == r.label]) for r in part.rows]
    rows += [(r, [s for s in found if s.month == r.label]) for r in part.months]
    assert sorted(r.label for r, _ in rows) == sorted(
        {str(s.severity) for s in found} | {s.month for s in found}
    )
    for figures, group in rows:
        assert figures.count == len(group)
        got = {
            m: (s.reached, s.median, s.p90, s.within, s.decided)
            for m, s in figures.spreads.items()
        }
        assert got == expected_row(group, target)
