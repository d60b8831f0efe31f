"""Tabletop exercises: `exercise list|start|pause|resume|next|end|score|answer`."""

from __future__ import annotations

from collections.abc import Callable

from warroom.bot.context import Context, Reply
from warroom.bot.domain.exercises import Check, Outcome
from warroom.bot.domain.language import N_, Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.grammar import MAX_NUMBER, Arg, CommandError, Flag
from warroom.bot.operations import exercises, hotwash, incidents, scoring
from warroom.bot.operations.exercise_runs import Run
from warroom.bot.registry import command
from warroom.commands.exercise_followups import improvement_followups
from warroom.commands.exercise_start import facilitating, scenarios_of, start
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork

USAGE = {
    "list": "exercise list",
    "start": "exercise start NAME --part PART=ORG... [--speed N]",
    "pause": "exercise pause",
    "resume": "exercise resume",
    "next": "exercise next",
    "end": "exercise end",
    "score": "exercise score ID met|missed",
    "answer": "exercise answer N TEXT",
    "followups": "exercise followups",
}


@command(
    "exercise",
    N_("run a tabletop exercise: scripted injects, expectations scored from the timeline"),
    args=(
        Arg(
            "action",
            "word",
            N_("list, start, pause, resume, next, end, score, answer or followups"),
        ),
        Arg("rest", "text", N_("the scenario, an expectation or an answer"), optional=True),
    ),
    flags=(
        Flag("part", "word", N_("who plays a part: PART=ORG"), "PART=ORG", repeat=True),
        Flag("speed", "int", N_("run the scenario this many times faster"), "N"),
    ),
    details=N_(
        "exercise list · exercise start NAME --part PART=ORG... [--speed N] · exercise "
        "pause|resume|next|end · exercise score ID met|missed · exercise answer N TEXT · "
        "exercise followups. `start` opens an exercise incident with the parts' "
        "organisations; whoever starts it is the facilitator, who pauses, resumes, delivers "
        "the next inject, ends it and scores the expectations the scenario leaves to them. "
        "After the end, `followups` makes each improvement item (an expectation missed, a "
        "`review improve` lesson) a follow-up of its organisation's liaison, once."
    ),
)
async def exercise(
    ctx: Context, *, action: str, rest: str | None, part: list[str], speed: int | None
) -> Reply:
    lang = ctx.lang
    verb = action.lower()
    if verb not in USAGE:
        raise CommandError(
            lang.format(
                "unknown exercise action {action!r}: {known}",
                action=action,
                known=", ".join(USAGE),
            ),
        )
    usage = USAGE[verb]
    if verb != "start" and (part or speed is not None):
        raise CommandError(
            lang.gettext("--part and --speed go with `exercise start`"), usage=usage
        )
    words = (rest or "").split()
    if verb == "list":
        return _list(ctx, lang, words)
    if verb == "start":
        return await start(ctx, lang, words, part, speed or 1)
    if verb == "answer":
        return await _answer(ctx, lang, rest or "")
    if verb == "followups":
        return await improvement_followups(ctx, lang, words, usage)
    return await _control(ctx, lang, verb, words)


def _list(ctx: Context, lang: Language, words: list[str]) -> Reply:
    if words:
        raise CommandError(
            lang.format("unexpected {extra!r}", extra=" ".join(words)), usage=USAGE["list"]
        )
    lines = []
    for name, (scenario, _) in scenarios_of(ctx, lang).items():
        counts = lang.format(
            "parts: {parts}; {injects} injects, {expectations} expectations",
            parts=", ".join(scenario.parts),
            injects=len(scenario.injects),
            expectations=len(scenario.expectations),
        )
        lines.append(f"{name}: {lang.gettext(scenario.title)} ({counts})")
    return Reply(
        Message(
            title=lang.gettext("Exercises"),
            body="\n".join(lines) or lang.gettext("No exercises."),
            footer=lang.gettext("`exercise start NAME --part PART=ORG...` starts one"),
        )
    )


async def _control(ctx: Context, lang: Language, verb: str, words: list[str]) -> Reply:
    usage = USAGE[verb]
    if verb == "score":
        if len(words) != 2 or words[1].lower() not in ("met", "missed"):
            raise CommandError(
                lang.gettext("say which expectation and met or missed"), usage=usage
            )
    elif words:
        raise CommandError(lang.format("unexpected {extra!r}", extra=" ".join(words)), usage=usage)
    now = ctx.services.clock.now()
    config = ctx.services.config
    step: Callable[[UnitOfWork, Run], str] = _STEPS[verb](ctx, words)

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        run = facilitating(ctx, uow, incident)
        if run.row.ended_at is not None:
            raise CommandError(phrase("the exercise in {key} has ended", key=incident.key))
        exercises.progress(uow, run, now=now, config=config)  # what fell due first
        if run.row.ended_at is not None:
            raise CommandError(phrase("the exercise in {key} has ended", key=incident.key))
        said = step(uow, run)
        exercises.progress(uow, run, now=now, config=config)
        uow.reminders.touch(incident.id or 0)  # a leader in another process re-arms the job
        return Message(body=lang.format("{who}: {what}", who=ctx.actor.user.name, what=said))

    reply = await ctx.change(work)
    await ctx.services.outbox.drain_if_queued()
    return Reply(reply, public=True)


def _pause(ctx: Context, words: list[str]) -> Callable[[UnitOfWork, Run], str]:
    def step(uow: UnitOfWork, run: Run) -> str:
        if run.row.paused_at is not None:
            raise CommandError(phrase("the exercise is paused already"))
        exercises.pause(uow, run, now=ctx.services.clock.now(), actor=ctx.actor)
        return ctx.lang.gettext("exercise paused")

    return step


def _resume(ctx: Context, words: list[str]) -> Callable[[UnitOfWork, Run], str]:
    def step(uow: UnitOfWork, run: Run) -> str:
        if run.row.paused_at is None:
            raise CommandError(phrase("the exercise is not paused"))
        exercises.resume(uow, run, now=ctx.services.clock.now(), actor=ctx.actor)
        return ctx.lang.gettext("exercise resumed")

    return step


def _next(ctx: Context, words: list[str]) -> Callable[[UnitOfWork, Run], str]:
    def step(uow: UnitOfWork, run: Run) -> str:
        if run.row.paused_at is not None:
            raise CommandError(phrase("the exercise is paused: `exercise resume` first"))
        row = exercises.next_inject(run)
        if row is None:
            raise CommandError(phrase("no inject is left to deliver"))
        row.due_at = ctx.services.clock.now()
        return ctx.lang.format("inject {id} delivered now", id=row.inject_id)

    return step


def _end(ctx: Context, words: list[str]) -> Callable[[UnitOfWork, Run], str]:
    def step(uow: UnitOfWork, run: Run) -> str:
        now = ctx.services.clock.now()
        run.row.paused_at = None
        exercises.end(uow, run, now=now, actor=ctx.actor)
        hotwash.post(uow, run, now=now, config=ctx.services.config)
        return ctx.lang.gettext("exercise ended; the hot wash is posted in every war room")

    return step


def _score(ctx: Context, words: list[str]) -> Callable[[UnitOfWork, Run], str]:
    def step(uow: UnitOfWork, run: Run) -> str:
        expectation = run.scenario.expectation(words[0])
        if expectation is None or expectation.check is not Check.MANUAL:
            manual = [e.id for e in run.scenario.expectations if e.check is Check.MANUAL]
            raise CommandError(
                phrase(
                    "{id!r} is not an expectation scored by hand (those: {ids})",
                    id=words[0],
                    ids=", ".join(manual) or "-",
                ),
                usage=USAGE["score"],
            )
        row = run.expectations[expectation.id]
        if row.met is not None:
            raise CommandError(phrase("expectation {id} is decided already", id=expectation.id))
        if row.opens_at is None:
            raise CommandError(phrase("expectation {id} has not begun yet", id=expectation.id))
        now, met = ctx.services.clock.now(), words[1].lower() == "met"
        scoring.decide(uow, run, expectation.id, met=met, at=now, by=ctx.actor)
        outcome = Outcome.MET if met else Outcome.MISSED
        exercises.release(run, expectation.id, outcome, now)
        return ctx.lang.format(
            "expectation {id} scored {outcome}", id=expectation.id, outcome=words[1].lower()
        )

    return step


_STEPS: dict[str, Callable[[Context, list[str]], Callable[[UnitOfWork, Run], str]]] = {
    "pause": _pause,
    "resume": _resume,
    "next": _next,
    "end": _end,
    "score": _score,
}


async def _answer(ctx: Context, lang: Language, rest: str) -> Reply:
    usage = USAGE["answer"]
    number_text, _, text = rest.strip().partition(" ")
    if not number_text.isascii() or not number_text.isdigit() or not text.strip():
        raise CommandError(lang.gettext("say which question (N) and your answer"), usage=usage)
    number = int(number_text)
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        run = Run.of(uow, incident)
        if run is None:
            raise CommandError(phrase("{key} is not an exercise run", key=incident.key))
        if not 1 <= number <= min(len(run.scenario.questions), MAX_NUMBER):
            raise CommandError(
                phrase(
                    "there is no question {number} (1 to {most})",
                    number=number,
                    most=len(run.scenario.questions),
                ),
                usage=usage,
            )
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.ANSWER,
            actor=ctx.actor,
            text=phrase("Answer to question {number}: {text}", number=number, text=text.strip()),
            source_event_id=ctx.event_id,
        )
        return Message(
            body=lang.format(
                "{who} answered question {number}", who=ctx.actor.user.name, number=number
            )
        )

    return Reply(await ctx.change(work, closed_too=True), public=True)
