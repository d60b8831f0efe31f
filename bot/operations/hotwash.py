"""The hot wash: at the end of an exercise, every war room gets the discussion questions and
each expectation met or missed, with the time it took and the scores per organisation, as
that room's organisation may see them (an outcome it may not see is absent, not counted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.exercises import Expectation, scores, took
from warroom.bot.domain.language import Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents
from warroom.bot.operations.effects import Post, queue
from warroom.bot.operations.exercise_runs import Run
from warroom.bot.operations.metrics import duration
from warroom.bot.operations.visibility import Visibility, parse_tlp, redacted
from warroom.storage.models import ExerciseExpectation
from warroom.storage.store import UnitOfWork


@dataclass(frozen=True)
class Result:
    expectation: Expectation
    row: ExerciseExpectation
    org: str
    text: str  # as the reader may see it

    @property
    def took_s(self) -> float | None:
        return took(self.row.opens_at, self.row.decided_at) if self.row.opens_at else None


def said_of(run: Run, expectation: Expectation) -> Said:
    """An expectation and its outcome, as the rule reads them: said for the expecting
    part's organisation, at its own marking, else the incident's TLP (as its entry is)."""
    tlp = effective_tlp(expectation.text, parse_tlp(run.incident.tlp))
    return Said(expectation.text, tlp, run.org_of(expectation.by))


def results(run: Run, seen: Visibility, reader: str | None, where: Where) -> list[Result]:
    """The decided expectations `reader` may see there (None: every one)."""
    found = []
    for expectation in run.scenario.expectations:
        row = run.expectations[expectation.id]
        if row.met is None:
            continue
        said = said_of(run, expectation)
        text = said.text if reader is None else seen.show(said, reader, where)
        if text is not None:
            said_here = seen.language(reader or "").gettext(expectation.text)
            text = said_here if reader is None else redacted(said_here)
            found.append(Result(expectation, row, said.org, text))
    return found


def post(uow: UnitOfWork, run: Run, *, now: datetime, config: Config) -> None:
    incident = run.incident
    assert incident.id is not None
    seen = Visibility.of(uow, config, incident)
    for link in uow.rooms.for_incident(incident.id):
        shown = results(run, seen, link.org, Where.ROOM)
        message = hotwash_message(run, shown, config.language(link.org))
        queue(uow, Post(link.room, message), at=now, incident_id=incident.id)
    run.row.hotwash_at = now
    incidents.record(
        uow,
        incident,
        at=now,
        kind=EntryKind.EXERCISE,
        actor=incidents.BOT,
        text=phrase("Hot wash of exercise {name} posted", name=run.scenario.name),
        tlp=Tlp.CLEAR,
    )


def hotwash_message(run: Run, shown: list[Result], lang: Language) -> Message:
    lines = [lang.gettext("Discussion questions (answer with `exercise answer N TEXT`):")]
    lines += [f"{n}. {lang.gettext(q)}" for n, q in enumerate(run.scenario.questions, 1)]
    lines += ["", lang.gettext("Expectations:")]
    for r in shown:
        mark = "✅" if r.row.met else "❌"
        outcome = (
            lang.format("met after {took}", took=duration(r.took_s))
            if r.row.met
            else lang.gettext("missed")
        )
        lines.append(
            f"{mark} {r.expectation.id} ({r.expectation.by}, {r.org}): {r.text} — {outcome}"
        )
    lines += ["", lang.gettext("Scores:")]
    totals = scores([(r.expectation, r.row.met) for r in shown], run.parts)
    for org, (got, possible) in sorted(totals.items()):
        lines.append(
            lang.format("{org}: {got} of {possible} points", org=org, got=got, possible=possible)
        )
    return Message(
        title=lang.format("hot wash: {title}", title=lang.gettext(run.scenario.title)),
        body="\n".join(lines),
        tlp=run.incident.tlp,
        footer=lang.gettext(
            "After the review, `exercise followups` makes each improvement item a follow-up "
            "of its organisation's liaison."
        ),
    )
