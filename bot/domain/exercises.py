"""Tabletop exercises: a scenario's parts, injects and expectations, and the pure rules that
time and score them.

Scenario time runs `speed` times faster than the clock (`--speed 60`: a scenario minute in
a second); a pause shifts everything still waiting by how long it lasted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from warroom.bot.domain.tlp import Tlp

ALL_PARTS = "all"


class Check(StrEnum):
    """What makes an expectation met; a scenario names exactly one per expectation."""

    ROLE = "role"  # someone of the part holds the role
    STATE = "state"  # the incident reached the state (or a later one)
    TASK = "task"  # a task of that text is done
    SAID = "said"  # someone of the part said something matching the pattern
    RELAYED_TO = "relayed_to"  # a message of the part was relayed to that part
    MANUAL = "manual"  # the facilitator decides with `exercise score`


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"


@dataclass(frozen=True)
class Inject:
    id: str
    at: timedelta  # from the start; with `after`, from that expectation's outcome
    to: tuple[str, ...]  # parts
    text: str
    tlp: Tlp | None = None  # None: the scenario's
    role: str = ""  # whose attention it is for
    after: tuple[str, Outcome] | None = None  # (expectation id, outcome)


@dataclass(frozen=True)
class Expectation:
    id: str
    text: str
    by: str  # a part
    within: timedelta
    score: int
    check: Check
    value: str  # the role, state, task text, pattern or part; "" for manual
    inject: str = ""  # the inject whose delivery opens its window; "" for the start


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    summary: str
    objectives: tuple[str, ...]
    severity: int
    tlp: Tlp
    parts: tuple[str, ...]
    playbook: str
    questions: tuple[str, ...]
    injects: tuple[Inject, ...]
    expectations: tuple[Expectation, ...]
    source: str

    def inject(self, inject_id: str) -> Inject | None:
        return next((i for i in self.injects if i.id == inject_id), None)

    def expectation(self, expectation_id: str) -> Expectation | None:
        return next((e for e in self.expectations if e.id == expectation_id), None)

    def targets(self, inject: Inject) -> tuple[str, ...]:
        return self.parts if ALL_PARTS in inject.to else inject.to

    def inject_tlp(self, inject: Inject) -> Tlp:
        return self.tlp if inject.tlp is None else inject.tlp


def scaled(offset: timedelta, speed: float) -> timedelta:
    """A scenario duration on the clock at `speed`."""
    return offset / speed


def first_due(scenario: Scenario, start: datetime, speed: float) -> dict[str, datetime]:
    """When each inject with a fixed time falls due; `after`-chained ones wait."""
    return {i.id: start + scaled(i.at, speed) for i in scenario.injects if i.after is None}


def chained(
    scenario: Scenario, expectation_id: str, outcome: Outcome, at: datetime, speed: float
) -> dict[str, datetime]:
    """The injects an expectation's outcome releases, and when; the other outcome's never."""
    return {
        i.id: at + scaled(i.at, speed)
        for i in scenario.injects
        if i.after == (expectation_id, outcome)
    }


def dropped(scenario: Scenario, expectation_id: str, outcome: Outcome) -> list[str]:
    """The injects waiting on the outcome that did not happen."""
    other = Outcome.MISSED if outcome is Outcome.MET else Outcome.MET
    return [i.id for i in scenario.injects if i.after == (expectation_id, other)]


@dataclass(frozen=True)
class Fact:
    """Something the timeline shows: who of which org did it, and when."""

    at: datetime
    org: str
    who: str
    value: str  # the role taken, state reached, task done, text said, org relayed to
    until: datetime | None = None  # when it stopped holding (a role handed on)


def first_hold(
    expectation: Expectation,
    part_orgs: Mapping[str, str],
    facts: Sequence[Fact],
    *,
    opens: datetime,
    closes: datetime,
) -> Fact | None:
    """The first fact that meets the expectation within its window (a fact from before
    it opened that still holds counts from the opening); None: not met (yet)."""
    org = part_orgs.get(expectation.by, "")
    for fact in sorted(facts, key=lambda f: f.at):
        if fact.at > closes:
            break
        if expectation.check is not Check.STATE and fact.org != org:
            continue
        if fact.at < opens and expectation.check in (Check.SAID, Check.RELAYED_TO):
            continue  # said before the window: not a response to it
        if fact.until is not None and fact.until < opens:
            continue  # over before the window opened
        return Fact(max(fact.at, opens), fact.org, fact.who, fact.value)
    return None


def took(opens: datetime, at: datetime | None) -> float | None:
    """Seconds from the window's opening to the outcome."""
    return round((at - opens).total_seconds(), 3) if at else None


def scores(
    results: Sequence[tuple[Expectation, bool | None]], part_orgs: Mapping[str, str]
) -> dict[str, tuple[int, int]]:
    """Per organisation: points earned and points possible, over decided expectations."""
    totals: dict[str, tuple[int, int]] = {}
    for expectation, met in results:
        org = part_orgs.get(expectation.by, expectation.by)
        got, possible = totals.get(org, (0, 0))
        totals[org] = (got + (expectation.score if met else 0), possible + expectation.score)
    return totals
