"""`exercise start NAME --part PART=ORG... [--speed N]`: an exercise incident with the parts'
organisations under their agreements, the scenario's playbook, and the run's first injects."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.exercise_mark import marked
from warroom.bot.domain.exercises import Scenario
from warroom.bot.domain.language import Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.grammar import CommandError
from warroom.bot.operations import exercises, incidents, scenarios
from warroom.bot.operations.exercise_runs import Run
from warroom.commands import playbooks
from warroom.commands.orgs import bring_in_orgs, check_orgs
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork

USAGE = "exercise start NAME --part PART=ORG... [--speed N]"
MAX_SPEED = 3600


def scenarios_of(ctx: Context, lang: Language) -> dict[str, tuple[Scenario, str]]:
    try:
        return scenarios.load(ctx.services.config)
    except scenarios.ScenarioError as exc:
        raise CommandError(
            lang.format("a scenario file has an error: {error}", error=exc)
        ) from None


def facilitating(ctx: Context, uow: UnitOfWork, incident: Incident) -> Run:
    """The incident's run, if the caller facilitates it or leads the incident."""
    run = Run.of(uow, incident)
    if run is None:
        raise CommandError(phrase("{key} is not an exercise run", key=incident.key))
    row, user = run.row, ctx.actor.user
    if (row.facilitator_platform, row.facilitator_user_id) != (user.platform, user.user_id):
        ctx.require_lead(uow, incident)
    return run


def _parts(lang: Language, scenario: Scenario, given: list[str]) -> dict[str, str]:
    usage = USAGE
    parts: dict[str, str] = {}
    for item in given:
        name, _, org = item.partition("=")
        name, org = name.strip().lower(), org.strip().lower()
        if not name or not org:
            raise CommandError(
                lang.format("--part {item!r} is not PART=ORG", item=item), usage=usage
            )
        if name not in scenario.parts:
            raise CommandError(
                lang.format(
                    "unknown part {part!r} (parts of {name}: {parts})",
                    part=name,
                    name=scenario.name,
                    parts=", ".join(scenario.parts),
                ),
                usage=usage,
            )
        parts[name] = org
    missing = [p for p in scenario.parts if p not in parts]
    if missing:
        raise CommandError(
            lang.format(
                "no organisation plays {parts}: add --part {part}=ORG",
                parts=", ".join(missing),
                part=missing[0],
            ),
            usage=usage,
        )
    return parts


def _may_facilitate(ctx: Context, lang: Language) -> None:
    allowed = ctx.services.config.exercises.facilitators
    if allowed and not {ctx.actor.user.user_id, ctx.actor.org} & set(allowed):
        raise CommandError(
            lang.gettext("not allowed: only the facilitators in [exercises] may start one")
        )


async def start(
    ctx: Context, lang: Language, words: list[str], given: list[str], speed: int
) -> Reply:
    usage = USAGE
    if len(words) != 1:
        raise CommandError(
            lang.gettext("NAME is missing: which scenario (see `exercise list`)"), usage=usage
        )
    if not 1 <= speed <= MAX_SPEED:
        raise CommandError(lang.format("--speed must be 1 to {most}", most=MAX_SPEED), usage=usage)
    _may_facilitate(ctx, lang)
    found = scenarios_of(ctx, lang)
    if words[0].lower() not in found:
        raise CommandError(
            lang.format(
                "unknown scenario {name!r} (known: {known})",
                name=words[0],
                known=", ".join(found) or lang.gettext("none"),
            ),
            usage=usage,
        )
    scenario, script = found[words[0].lower()]
    parts = _parts(lang, scenario, given)
    others = _checked_orgs(ctx, lang, parts)
    chosen = playbooks.find(ctx, lang, scenario.playbook) if scenario.playbook else None
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork) -> str:
        incident = incidents.open_incident(
            uow,
            actor=ctx.actor,
            origin=ctx.room,
            title=scenario.title,
            severity=scenario.severity,
            tlp=scenario.tlp,
            exercise=True,
            at=now,
            event_id=ctx.event_id,
        )
        bring_in_orgs(ctx, uow, incident, others, at=now)
        exercises.start(
            uow, incident, scenario, script, parts=parts, speed=speed, actor=ctx.actor, at=now
        )
        if chosen is not None:  # after the run: its due times run at the run's speed
            playbooks.apply(ctx, uow, incident, chosen, at=now)
        return incident.key

    key = await ctx.transaction(work)
    await ctx.services.outbox.drain_if_queued()
    body = lang.format(
        "You are the facilitator of {key}. Parts: {parts}. `exercise pause|resume|next|end` "
        "in its war room steers it.",
        key=key,
        parts=", ".join(f"{p}={o}" for p, o in parts.items()),
    )
    # said where it was typed, maybe outside the exercise's rooms: marked here
    started = Message(title=lang.format("{name} started", name=scenario.name), body=body)
    return Reply(marked(started, lang))


def _checked_orgs(ctx: Context, lang: Language, parts: dict[str, str]) -> list[str]:
    """The parts' organisations to bring in; a part without an agreement is named."""
    new: list[str] = []
    for part, org in parts.items():
        try:
            new += check_orgs(ctx, [org], already=[ctx.actor.org, *new])
        except CommandError as exc:
            raise CommandError(
                lang.format(
                    "part {part} ({org}): {reason}", part=part, org=org, reason=exc.said(lang)
                ),
                usage=USAGE,
            ) from None
    return new
