"""Shared goals: how soon an incident of each severity should be acknowledged, contained and
resolved (`[goals]`), with an organisation's own targets over the default, measure by measure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

SEVERITIES = (1, 2, 3, 4)


class Measure(Enum):
    """What an incident reaches, counted from its opening."""

    ACKNOWLEDGE = "acknowledge"
    CONTAIN = "contain"
    RESOLVE = "resolve"


MEASURES = tuple(Measure)


@dataclass(frozen=True)
class Targets:
    """One severity's targets; None where no goal is set."""

    acknowledge: timedelta | None = None
    contain: timedelta | None = None
    resolve: timedelta | None = None

    def of(self, measure: Measure) -> timedelta | None:
        value: timedelta | None = getattr(self, measure.value)
        return value


NO_TARGETS = Targets()


SeverityTargets = tuple[tuple[int, Targets], ...]  # pairs, so a Config stays hashable


@dataclass(frozen=True)
class Goals:
    default: SeverityTargets = ()
    orgs: tuple[tuple[str, SeverityTargets], ...] = ()

    def target(self, severity: int, measure: Measure, org: str | None = None) -> timedelta | None:
        """The org's own target for the measure if it set one, else the default's."""
        own = _of(dict(self.orgs).get(org or "", ()), severity).of(measure)
        return own or _of(self.default, severity).of(measure)

    @property
    def org_ids(self) -> tuple[str, ...]:
        return tuple(org for org, _ in self.orgs)


def _of(targets: SeverityTargets, severity: int) -> Targets:
    return dict(targets).get(severity, NO_TARGETS)


class GoalsProblem(Exception):
    """A `[goals]` entry that cannot work; `key` names it (`goals.sev1.acknowledge`)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


Duration = Callable[[str], timedelta]


def parse_goals(table: Any, duration: Duration) -> Goals:
    """`{sev1 = {acknowledge = "15m", ...}, orgs = {cert = {sev1 = {...}}}}` to Goals."""
    if not isinstance(table, dict):
        raise GoalsProblem("goals", "must be a table")
    orgs = table.get("orgs", {})
    if not isinstance(orgs, dict):
        raise GoalsProblem("goals.orgs", "must be a table of org ids ([goals.orgs.ORG])")
    default = _severities("goals", {k: v for k, v in table.items() if k != "orgs"}, duration)
    own = tuple((org, _severities(f"goals.orgs.{org}", t, duration)) for org, t in orgs.items())
    return Goals(default=default, orgs=own)


def _severities(where: str, table: Any, duration: Duration) -> SeverityTargets:
    if not isinstance(table, dict):
        raise GoalsProblem(where, "must be a table of sev1 to sev4")
    found: dict[int, Targets] = {}
    names = {f"sev{n}": n for n in SEVERITIES}
    for key, targets in table.items():
        if key not in names:
            raise GoalsProblem(f"{where}.{key}", "unknown key; expected sev1, sev2, sev3 or sev4")
        found[names[key]] = _targets(f"{where}.{key}", targets, duration)
    return tuple(sorted(found.items()))


def _targets(where: str, table: Any, duration: Duration) -> Targets:
    if not isinstance(table, dict):
        raise GoalsProblem(where, 'must be a table like { acknowledge = "15m" }')
    values: dict[str, timedelta] = {}
    known = [m.value for m in MEASURES]
    for key, raw in table.items():
        if key not in known:
            raise GoalsProblem(f"{where}.{key}", f"unknown key; expected {', '.join(known)}")
        if not isinstance(raw, str):
            raise GoalsProblem(f"{where}.{key}", 'must be a duration string like "4h"')
        try:
            values[key] = duration(raw)
        except ValueError as exc:
            raise GoalsProblem(f"{where}.{key}", str(exc)) from None
    return Targets(**values)
