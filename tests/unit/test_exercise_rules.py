"""The pure rules of exercises: when injects fall due, what meets an expectation, scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.bot.domain.exercises import (
    Check,
    Expectation,
    Fact,
    Inject,
    Outcome,
    Scenario,
    chained,
    dropped,
    first_due,
    first_hold,
    scores,
)
from warroom.bot.domain.tlp import Tlp

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
LEAD = Expectation("lead", "a lead", "victim", 10 * MIN, 2, Check.ROLE, "commander")
SAY = Expectation("say", "says it", "victim", 10 * MIN, 1, Check.SAID, "x")
SCENARIO = Scenario(
    name="s",
    title="S",
    summary="",
    objectives=(),
    severity=3,
    tlp=Tlp.AMBER,
    parts=("victim", "cert"),
    playbook="",
    questions=(),
    injects=(
        Inject("a", 10 * MIN, ("victim",), "a"),
        Inject("b", 2 * MIN, ("all",), "b", after=("lead", Outcome.MET)),
        Inject("c", 0 * MIN, ("cert",), "c", after=("lead", Outcome.MISSED)),
    ),
    expectations=(LEAD, SAY),
    source="s.toml",
)
PARTS = {"victim": "acme", "cert": "cert"}


def test_fixed_injects_fall_due_at_speed_and_chained_ones_wait() -> None:
    assert first_due(SCENARIO, START, 1) == {"a": START + 10 * MIN}
    assert first_due(SCENARIO, START, 60) == {"a": START + timedelta(seconds=10)}
    assert SCENARIO.targets(SCENARIO.injects[1]) == ("victim", "cert")


def test_an_outcome_releases_its_branch_and_drops_the_other() -> None:
    met_at = START + 3 * MIN
    assert chained(SCENARIO, "lead", Outcome.MET, met_at, 1) == {"b": met_at + 2 * MIN}
    assert dropped(SCENARIO, "lead", Outcome.MET) == ["c"]
    assert chained(SCENARIO, "lead", Outcome.MISSED, met_at, 1) == {"c": met_at}


def test_a_role_held_before_the_window_counts_from_its_opening_unless_handed_on() -> None:
    opens, closes = START + 5 * MIN, START + 15 * MIN
    held = Fact(START, "acme", "alice", "commander")
    found = first_hold(LEAD, PARTS, [held], opens=opens, closes=closes)
    assert found is not None and (found.at, found.who) == (opens, "alice")
    handed_on = Fact(START, "acme", "alice", "commander", until=START + MIN)
    assert first_hold(LEAD, PARTS, [handed_on], opens=opens, closes=closes) is None


def test_only_the_part_s_org_within_the_window_meets_it() -> None:
    opens, closes = START, START + 10 * MIN
    other = Fact(START + MIN, "cert", "cora", "x")
    before = Fact(START - MIN, "acme", "alice", "x")
    late = Fact(START + 11 * MIN, "acme", "alice", "x")
    assert first_hold(SAY, PARTS, [other, before, late], opens=opens, closes=closes) is None
    said = Fact(START + 2 * MIN, "acme", "bob", "x")
    assert first_hold(SAY, PARTS, [late, said], opens=opens, closes=closes) == said


def test_scores_count_points_per_organisation() -> None:
    assert scores([(LEAD, True), (SAY, False)], PARTS) == {"acme": (2, 3)}
