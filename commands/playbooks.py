"""Playbooks: `playbooks` lists them, `playbook NAME` runs one in a war room."""

from __future__ import annotations

import logging
from datetime import datetime

from warroom.bot.context import Context, Reply
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tasks import OwnerError, parse_owner
from warroom.bot.grammar import Arg, CommandError, Permission
from warroom.bot.operations import playbooks, tasks
from warroom.bot.operations.playbooks import Playbook, PlaybookError
from warroom.bot.registry import command
from warroom.commands.orgs import bring_in_orgs, check_orgs
from warroom.storage.models import Incident, Task
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)


def available(ctx: Context, lang: Language) -> dict[str, Playbook]:
    try:
        return playbooks.load(ctx.services.config)
    except PlaybookError as exc:
        raise CommandError(
            lang.format("a playbook file has an error: {error}", error=exc)
        ) from None


def find(ctx: Context, lang: Language, name: str) -> Playbook:
    found = available(ctx, lang)
    playbook = found.get(name.lower())
    if playbook is None:
        raise CommandError(
            lang.format(
                "unknown playbook {name!r} (known: {known})",
                name=name,
                known=", ".join(found) or lang.gettext("none"),
            )
        )
    return playbook


def apply(
    ctx: Context, uow: UnitOfWork, incident: Incident, playbook: Playbook, *, at: datetime
) -> list[Task] | None:
    """Bring in the playbook's organisations and add its tasks; None if it runs already.
    A CommandError (an organisation without an agreement, an owner the incident lacks)
    comes before any change, so the transaction rolls back whole."""
    assert incident.id is not None
    lang = ctx.services.config.language(ctx.actor.org)
    already = uow.incidents.orgs(incident.id)
    new = check_orgs(ctx, playbook.orgs, already=already)
    orgs = [*already, *new]
    for step in playbook.steps:
        try:
            if step.owner:
                parse_owner(step.owner, orgs=orgs)
        except OwnerError as exc:
            raise CommandError(
                lang.format(
                    "the {name} playbook gives a task to {who}, not in this incident",
                    name=playbook.name,
                    who=exc.who,
                )
            ) from None
    bring_in_orgs(ctx, uow, incident, new, at=at)
    return tasks.apply_playbook(uow, incident, playbook, actor=ctx.actor, at=at)


def state_tasks(ctx: Context, uow: UnitOfWork, incident: Incident, *, at: datetime) -> None:
    """The tasks the incident's playbooks hold for the state it has just reached. A playbook
    file broken since it was applied is logged; it never blocks the state change."""
    assert incident.id is not None
    if not uow.playbooks.for_incident(incident.id):
        return
    try:
        found = playbooks.load(ctx.services.config)
    except PlaybookError as exc:
        log.warning("%s: the tasks for state %s not added: %s", incident.key, incident.state, exc)
        return
    tasks.after_state_change(uow, incident, found, at=at)


def suggestion(ctx: Context, lang: Language, title: str) -> str:
    """A private hint at `open`: the playbook the title's words fit, and how to run it."""
    try:
        fits = playbooks.suggest(title, playbooks.load(ctx.services.config).values())
    except PlaybookError as exc:
        log.warning("no playbook suggested: %s", exc)
        return ""
    if fits is None:
        return ""
    return lang.format(
        "The {name} playbook may fit ({title}): `playbook {name}` in the war room applies it.",
        name=fits.name,
        title=fits.title,
    )


@command(
    "playbook",
    N_("run a playbook in the incident: its tasks, and the organisations it brings in"),
    args=(Arg("name", "word", N_("a playbook's name, from `playbooks`")),),
    permission=Permission.LEAD,
)
async def playbook(ctx: Context, *, name: str) -> Reply:
    lang = ctx.services.config.language(ctx.actor.org)
    chosen = find(ctx, lang, name)
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> tuple[Message, bool]:
        added = apply(ctx, uow, incident, chosen, at=now)
        if added is None:
            body = lang.format(
                "{key} runs the {name} playbook already: nothing added",
                key=incident.key,
                name=chosen.name,
            )
            return Message(body=body), False
        body = lang.ngettext(
            "{who} applied the {name} playbook: {count} task added",
            "{who} applied the {name} playbook: {count} tasks added",
            len(added),
        ).format(who=ctx.actor.user.name, name=chosen.name, count=len(added))
        return Message(body=body, tlp=incident.tlp), True

    message, changed = await ctx.change(work)
    await ctx.services.outbox.drain_if_queued()
    return Reply(message, public=changed)


@command(
    "playbooks",
    N_("list the playbooks: the shipped ones and those of [playbooks] dir"),
    permission=Permission.ANYONE,
    needs_incident=False,
)
async def list_playbooks(ctx: Context) -> Reply:
    lang = ctx.services.config.language(ctx.actor.org)
    found = available(ctx, lang).values()
    lines = [_line(lang, p) for p in found]
    return Reply(
        Message(
            title=lang.gettext("Playbooks"),
            body="\n".join(lines) or lang.gettext("No playbooks."),
            footer=lang.gettext(
                "`open TITLE --playbook NAME` opens an incident with one; "
                "`playbook NAME` runs one in a war room"
            ),
        )
    )


def _line(lang: Language, playbook: Playbook) -> str:
    count = lang.ngettext("{count} task", "{count} tasks", len(playbook.steps))
    details = [count.format(count=len(playbook.steps)), f"SEV{playbook.severity}"]
    details.append(f"TLP:{playbook.tlp.label}")
    title, description = lang.gettext(playbook.title), lang.gettext(playbook.description)
    return f"{playbook.name}: {title} ({', '.join(details)})\n  {description}"
