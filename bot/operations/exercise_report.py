"""An exercise in the export and the after-action report: the scenario, the parts, the
injects delivered, each expectation's outcome, the scores per organisation and the answers
to the discussion questions, each as the viewing organisation may see it (with no `as_org`,
everything; an inject or outcome withheld from the org is absent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.exercises import scores, took
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations.exercise_runs import SENT, Run
from warroom.bot.operations.hotwash import said_of
from warroom.bot.operations.injects import said_for
from warroom.bot.operations.visibility import Visibility, redacted, said_in
from warroom.storage.store import UnitOfWork

Iso = Callable[[datetime | None], str | None]


def exercise_entry(
    uow: UnitOfWork, seen: Visibility, as_org: str | None, iso: Iso
) -> dict[str, Any] | None:
    """`{scenario, title, objectives, questions, parts, speed, facilitator, started_at,
    ended_at, injects[], expectations[], scores{}, answers[]}`, or None: not an exercise run."""
    run = Run.of(uow, seen.incident)
    if run is None:
        return None
    row = run.row
    lang = seen.language(as_org or "")  # the export's language
    expectations = _expectations(run, seen, as_org, iso)
    totals = scores([(e, x["met"]) for e, x in expectations if x["met"] is not None], run.parts)
    return {
        "scenario": run.scenario.name,
        "title": lang.gettext(run.scenario.title),
        "objectives": [lang.gettext(o) for o in run.scenario.objectives],
        "questions": [lang.gettext(q) for q in run.scenario.questions],
        "parts": dict(run.parts),
        "speed": row.speed,
        "facilitator": {
            "platform": row.facilitator_platform,
            "user_id": row.facilitator_user_id,
            "display": row.facilitator_display,
            "org": row.facilitator_org,
        },
        "started_at": iso(row.started_at),
        "ended_at": iso(row.ended_at),
        "injects": _injects(run, seen, as_org, iso),
        "expectations": [x for _, x in expectations],
        "scores": {org: {"score": got, "possible": most} for org, (got, most) in totals.items()},
        "answers": _answers(uow, seen, as_org, iso),
    }


def _injects(run: Run, seen: Visibility, as_org: str | None, iso: Iso) -> list[dict[str, Any]]:
    found = []
    for inject in run.scenario.injects:
        row = run.injects[inject.id]
        if as_org is not None and row.state != SENT:
            continue  # what was not delivered is the facilitator's script
        for part in run.scenario.targets(inject):
            said = said_for(run, inject, part)
            text = redacted(said.text) if as_org is None else seen.show(said, as_org, Where.VIEW)
            if text is None:
                continue
            text = redacted(seen.language(as_org or "").gettext(inject.text))
            found.append(
                {
                    "id": inject.id,
                    "to": part,
                    "org": said.org,
                    "role": inject.role or None,
                    "tlp": said.tlp.label,
                    "text": text,
                    "state": row.state,
                    "due_at": iso(row.due_at),
                    "sent_at": iso(row.sent_at),
                }
            )
    return found


def _expectations(
    run: Run, seen: Visibility, as_org: str | None, iso: Iso
) -> list[tuple[Any, dict[str, Any]]]:
    found = []
    for expectation in run.scenario.expectations:
        row = run.expectations[expectation.id]
        said = said_of(run, expectation)
        text = redacted(said.text) if as_org is None else seen.show(said, as_org, Where.VIEW)
        if text is None:
            continue
        text = redacted(seen.language(as_org or "").gettext(expectation.text))
        decided = row.decided_at if row.met is not None else None
        entry = {
            "id": expectation.id,
            "by": expectation.by,
            "org": said.org,
            "text": text,
            "check": str(expectation.check),
            "met": row.met,
            "at": iso(decided),
            "actor": {"display": row.actor, "org": row.actor_org} if row.actor else None,
            "took_s": took(row.opens_at, decided) if row.opens_at else None,
            "score": expectation.score if row.met else 0,
            "points": expectation.score,
        }
        found.append((expectation, entry))
    return found


def _answers(uow: UnitOfWork, seen: Visibility, as_org: str | None, iso: Iso) -> list[Any]:
    assert seen.incident.id is not None
    entries = uow.timeline.of_kind(seen.incident.id, EntryKind.ANSWER)
    shown = (
        [(e, said_in(e, seen.language(""))) for e in entries]
        if as_org is None
        else seen.entries(entries, as_org, Where.VIEW)
    )
    return [
        {
            "at": iso(e.at),
            "by": {"user_id": e.actor_user_id, "display": e.actor_display, "org": e.actor_org},
            "text": text,
            "tlp": seen.said(e).tlp.label,
        }
        for e, text in shown
    ]
