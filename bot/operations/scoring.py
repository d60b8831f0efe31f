"""Scoring an exercise from the timeline: an expectation is met when its check first holds
within its window (who and when recorded), missed when the window closes. Each outcome is
a timeline entry said for the expecting part's organisation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from warroom.bot.domain.events import Actor
from warroom.bot.domain.exercises import Check, Expectation, Fact, Outcome, first_hold, took
from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.vocabulary import EntryKind, State
from warroom.bot.operations import incidents
from warroom.bot.operations.exercise_runs import Run
from warroom.bot.operations.metrics import duration
from warroom.storage.store import UnitOfWork

SAID_KINDS = (EntryKind.MESSAGE, EntryKind.NOTE, EntryKind.UPDATE)
_NEW_STATE = re.compile(r"→ (\w+)$")
_RELAYED_TO = re.compile(r"relayed to ([^;(]+)")
_RELAYED_FROM = re.compile(r" from (.+?) \(([^)]*)\): ")
_STATES = tuple(State)


def score(uow: UnitOfWork, run: Run, *, now: datetime) -> list[tuple[str, Outcome, datetime]]:
    """Decide every open window the timeline now decides: met, or missed once closed."""
    decided: list[tuple[str, Outcome, datetime]] = []
    facts: dict[Check, list[Fact]] = {}
    for expectation in run.scenario.expectations:
        row = run.expectations[expectation.id]
        if row.met is not None or row.opens_at is None or row.closes_at is None:
            continue
        if expectation.check is not Check.MANUAL:
            if expectation.check not in facts:
                facts[expectation.check] = list(_facts(uow, run, expectation.check))
            matching = [f for f in facts[expectation.check] if _fits(expectation, f)]
            fact = first_hold(
                expectation,
                run.parts,
                matching,
                opens=row.opens_at,
                closes=min(row.closes_at, now),
            )
            if fact is not None:
                decide(uow, run, expectation.id, met=True, at=fact.at, fact=fact)
                decided.append((expectation.id, Outcome.MET, fact.at))
                continue
        if row.closes_at <= now:
            decide(uow, run, expectation.id, met=False, at=row.closes_at)
            decided.append((expectation.id, Outcome.MISSED, row.closes_at))
    return decided


def decide(
    uow: UnitOfWork,
    run: Run,
    expectation_id: str,
    *,
    met: bool,
    at: datetime,
    fact: Fact | None = None,
    by: Actor | None = None,
) -> None:
    """Record an outcome (`by`: the facilitator scoring by hand)."""
    expectation = run.scenario.expectation(expectation_id)
    row = run.expectations[expectation_id]
    assert expectation is not None
    row.met, row.decided_at = met, at
    if fact is not None:
        row.actor, row.actor_org = fact.who, fact.org
    elif by is not None:
        row.actor, row.actor_org = by.user.display or by.user.user_id, by.org
    uow.save(row)
    org = run.org_of(expectation.by)
    values = {
        "id": expectation.id,
        "part": expectation.by,
        "text": Phrase(expectation.text),  # said in each reader's language
        "took": duration(took(row.opens_at or at, at)),
        "score": expectation.score if met else 0,
    }
    text = (
        phrase("Expectation {id} ({part}) met after {took}, {score} points: {text}", **values)
        if met
        else phrase("Expectation {id} ({part}) missed, 0 points: {text}", **values)
    )
    incidents.record(
        uow,
        run.incident,
        at=at,
        kind=EntryKind.EXPECTATION,
        actor=Actor(incidents.BOT.user, org),  # said for the part, whoever decided it
        text=text,
    )


def _fits(expectation: Expectation, fact: Fact) -> bool:
    value = expectation.value
    match expectation.check:
        case Check.ROLE | Check.RELAYED_TO:
            return fact.value == value
        case Check.STATE:
            return fact.value in _STATES and _STATES.index(State(fact.value)) >= _STATES.index(
                State(value)
            )
        case Check.TASK:
            return fact.value.casefold().startswith(value.casefold())
        case Check.SAID:
            return re.search(value, fact.value) is not None
    return False


def _facts(uow: UnitOfWork, run: Run, check: Check) -> Iterable[Fact]:
    """What the timeline shows for one kind of check, in time order."""
    incident_id = run.incident.id
    assert incident_id is not None
    if check is Check.ROLE:
        for r in uow.roles.history(incident_id):
            yield Fact(r.assigned_at, r.org, r.display or r.user_id, r.role, r.released_at)
    elif check is Check.STATE:
        for e in uow.timeline.of_kind(incident_id, EntryKind.STATE):
            if found := _NEW_STATE.search(e.text):
                yield Fact(e.at, e.actor_org, e.actor_display or e.actor_user_id, found[1])
    elif check is Check.TASK:
        orgs = {p.user_id: p.org for p in uow.participants.for_incident(incident_id)}
        for t in uow.tasks.for_incident(incident_id):
            if t.done_at is not None:
                who = t.done_by_display or t.done_by
                yield Fact(t.done_at, orgs.get(t.done_by, ""), who, t.text)
    elif check is Check.SAID:
        for e in uow.timeline.entries(incident_id):
            if e.kind in SAID_KINDS:
                yield Fact(e.at, e.actor_org, e.actor_display or e.actor_user_id, e.text)
    elif check is Check.RELAYED_TO:
        parts = {org: part for part, org in run.parts.items()}
        for e in uow.timeline.of_kind(incident_id, EntryKind.RELAY):
            sender = _RELAYED_FROM.search(e.text)
            if sender and (found := _RELAYED_TO.search(e.text)):
                for org in found[1].split(","):
                    if org.strip() in parts:
                        yield Fact(e.at, e.actor_org, sender[1], parts[org.strip()])
