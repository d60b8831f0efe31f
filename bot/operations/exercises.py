"""Exercise runs, inside one unit of work: starting one, and moving it on at a moment.

`progress` is what the scheduler job and every command that moves a run call: it scores
what the timeline shows, delivers the injects due, closes windows, releases `after`-chained
injects, and when nothing is left waiting posts the hot wash. Each step is a timeline entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.events import Actor
from warroom.bot.domain.exercises import Outcome, Scenario, chained, dropped, first_due
from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import hotwash, incidents, injects, scoring
from warroom.bot.operations.exercise_runs import DROPPED, WAITING, Run, schedule
from warroom.storage.models import ExerciseExpectation, ExerciseInject, ExerciseRun, Incident
from warroom.storage.store import UnitOfWork

ROUNDS = 8  # delivering an inject may decide an expectation that releases another


def start(
    uow: UnitOfWork,
    incident: Incident,
    scenario: Scenario,
    script: str,
    *,
    parts: Mapping[str, str],
    speed: int,
    actor: Actor,
    at: datetime,
) -> ExerciseRun:
    """The run's rows, its first injects timed; the caller opened the incident."""
    assert incident.id is not None
    due = first_due(scenario, at, speed)
    user = actor.user
    run = ExerciseRun(
        incident_id=incident.id,
        scenario=scenario.name,
        script=script,
        parts=json.dumps(dict(parts), sort_keys=True),
        speed=float(speed),
        started_at=at,
        facilitator_platform=user.platform,
        facilitator_workspace=user.workspace,
        facilitator_user_id=user.user_id,
        facilitator_display=user.display,
        facilitator_org=actor.org,
    )
    injects = [
        ExerciseInject(incident_id=incident.id, inject_id=i.id, due_at=due.get(i.id))
        for i in scenario.injects
    ]
    expectations = []
    for e in scenario.expectations:
        row = ExerciseExpectation(incident_id=incident.id, expectation_id=e.id)
        if not e.inject:
            row.opens_at, row.closes_at = at, at + e.within / speed
        expectations.append(row)
    uow.exercises.add(run, injects, expectations)
    mapping = ", ".join(f"{part}={org}" for part, org in sorted(parts.items()))
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.EXERCISE,
        actor=actor,
        text=phrase(
            "Exercise {name} started ({parts}, speed {speed})",
            name=scenario.name,
            parts=mapping,
            speed=speed,
        ),
        tlp=Tlp.CLEAR,  # which scenario is played says nothing secret
    )
    run.next_at = min(due.values(), default=None)
    uow.reminders.touch(incident.id)  # a leader in another process arms the job
    return run


def progress(uow: UnitOfWork, run: Run, *, now: datetime, config: Config) -> None:
    """Move the run on to `now`; the caller holds the incident row locked."""
    if not run.running:
        return
    for _ in range(ROUNDS):
        decided = scoring.score(uow, run, now=now)
        for expectation_id, outcome, at in decided:
            release(run, expectation_id, outcome, at)
        due = sorted(
            (i for i in run.injects.values() if i.state == WAITING and _due_by(i, now)),
            key=lambda i: (i.due_at, i.id),
        )
        delivered = [r for r in due if injects.deliver(uow, run, r, now=now, config=config)]
        if not decided and not delivered:
            break
    if finished(run):
        end(uow, run, now=now, actor=Actor(incidents.BOT.user, ""), said=False)
        hotwash.post(uow, run, now=now, config=config)
    schedule(uow, run, now=now)


def _due_by(row: ExerciseInject, now: datetime) -> bool:
    return row.due_at is not None and row.due_at <= now


def release(run: Run, expectation_id: str, outcome: Outcome, at: datetime) -> None:
    """Time the injects an outcome releases; drop those waiting on the other one."""
    speed = run.row.speed
    for inject_id, due_at in chained(run.scenario, expectation_id, outcome, at, speed).items():
        run.injects[inject_id].due_at = due_at
    for inject_id in dropped(run.scenario, expectation_id, outcome):
        run.injects[inject_id].state = DROPPED


def finished(run: Run) -> bool:
    """Nothing waits: every inject sent or dropped and every expectation decided."""
    return all(i.state != WAITING for i in run.injects.values()) and all(
        e.met is not None for e in run.expectations.values()
    )


def end(uow: UnitOfWork, run: Run, *, now: datetime, actor: Actor, said: bool = True) -> None:
    """The run is over: what still waits is dropped, open windows are missed."""
    for inject in run.injects.values():
        if inject.state == WAITING:
            inject.state = DROPPED
    for expectation_id, window in run.expectations.items():
        if window.met is None:
            scoring.decide(uow, run, expectation_id, met=False, at=now)
    run.row.ended_at = now
    run.row.paused_at = None
    incidents.record(
        uow,
        run.incident,
        at=now,
        kind=EntryKind.EXERCISE,
        actor=actor,
        text=phrase("Exercise {name} ended", name=run.scenario.name)
        if said
        else phrase("Exercise {name} over: every window has closed", name=run.scenario.name),
        tlp=Tlp.CLEAR,
    )
    schedule(uow, run)


def pause(uow: UnitOfWork, run: Run, *, now: datetime, actor: Actor) -> None:
    run.row.paused_at = now
    _record(uow, run, actor, now, phrase("Exercise {name} paused", name=run.scenario.name))
    schedule(uow, run)


def resume(uow: UnitOfWork, run: Run, *, now: datetime, actor: Actor) -> None:
    """Everything still waiting moves on by as long as the pause lasted."""
    assert run.row.paused_at is not None
    lasted = now - run.row.paused_at
    for inject in run.injects.values():
        if inject.state == WAITING and inject.due_at is not None:
            inject.due_at += lasted
    for window in run.expectations.values():
        if window.met is None and window.closes_at is not None:
            window.closes_at += lasted
    run.row.paused_at = None
    _record(uow, run, actor, now, phrase("Exercise {name} resumed", name=run.scenario.name))
    schedule(uow, run)


def next_inject(run: Run) -> ExerciseInject | None:
    """The waiting inject due soonest (one waiting on an outcome not yet decided is not)."""
    timed = [i for i in run.injects.values() if i.state == WAITING and i.due_at is not None]
    return min(timed, key=lambda i: (i.due_at, i.id), default=None)


def _record(uow: UnitOfWork, run: Run, actor: Actor, at: datetime, text: Phrase) -> None:
    incidents.record(
        uow, run.incident, at=at, kind=EntryKind.EXERCISE, actor=actor, text=text, tlp=Tlp.CLEAR
    )
