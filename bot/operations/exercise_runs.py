"""An exercise run as one unit of work reads it: its row, its scenario (from the script
stored at the start), which organisation plays which part, and its injects and expectations."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.bot.domain.exercises import Scenario
from warroom.bot.operations.scenarios import from_script
from warroom.storage.models import ExerciseExpectation, ExerciseInject, ExerciseRun, Incident
from warroom.storage.store import UnitOfWork

WAITING, SENT, DROPPED = "waiting", "sent", "dropped"
RETRY = timedelta(seconds=2)


@dataclass(frozen=True)
class Run:
    """A run with its scenario and its rows, as one unit of work reads them."""

    incident: Incident
    row: ExerciseRun
    scenario: Scenario
    parts: Mapping[str, str]  # part -> org
    injects: Mapping[str, ExerciseInject]
    expectations: Mapping[str, ExerciseExpectation]

    @classmethod
    def of(cls, uow: UnitOfWork, incident: Incident) -> Run | None:
        assert incident.id is not None
        row = uow.exercises.get(incident.id)
        if row is None:
            return None
        return cls(
            incident=incident,
            row=row,
            scenario=from_script(row.scenario, row.script),
            parts=json.loads(row.parts),
            injects={i.inject_id: i for i in uow.exercises.injects(incident.id)},
            expectations={e.expectation_id: e for e in uow.exercises.expectations(incident.id)},
        )

    @property
    def running(self) -> bool:
        return self.row.ended_at is None and self.row.paused_at is None

    def org_of(self, part: str) -> str:
        return self.parts.get(part, "")


def speed_of(uow: UnitOfWork, incident: Incident) -> float:
    """How many times faster than the clock the incident's scenario time runs: its
    exercise's `--speed` (a playbook's due times run as fast), 1 for a real incident."""
    if not incident.exercise or incident.id is None:
        return 1.0
    row = uow.exercises.get(incident.id)
    return row.speed if row is not None else 1.0


def schedule(uow: UnitOfWork, run: Run, *, now: datetime | None = None) -> None:
    """The next moment something falls due in the run (None: nothing, or not running); an
    inject due by `now` and still waiting (its war room on the way) is tried again soon."""
    moments = [
        max(i.due_at, now + RETRY) if now is not None and i.due_at <= now else i.due_at
        for i in run.injects.values()
        if i.state == WAITING and i.due_at
    ]
    moments += [e.closes_at for e in run.expectations.values() if e.met is None and e.closes_at]
    run.row.next_at = min(moments, default=None) if run.running else None
    uow.save(run.row)
    for row in (*run.injects.values(), *run.expectations.values()):
        uow.save(row)
