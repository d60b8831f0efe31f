"""Tasks in a war room: `task add|done|reopen|assign|due ...` and `tasks`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Where, effective_tlp
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tasks import OWNER_ROLES, Owner, OwnerError, OwnerKind, parse_owner
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import LEAD_ROLES
from warroom.bot.grammar import (
    Arg,
    CommandError,
    Flag,
    duration_argument,
    leading_number,
)
from warroom.bot.operations import checklist, tasks
from warroom.bot.operations.services import light_input
from warroom.bot.operations.visibility import Visibility, parse_tlp, redacted
from warroom.bot.registry import command
from warroom.storage.models import Incident, RoleAssignment, Task
from warroom.storage.store import UnitOfWork

USAGE = {
    "add": "task add TEXT [--owner WHO] [--due D]",
    "done": "task done N [TEXT]",
    "reopen": "task reopen N",
    "assign": "task assign N WHO",
    "due": "task due N D",
}


@command(
    "task",
    N_("add, tick off, reopen, assign or re-time a task"),
    args=(
        Arg("action", "word", N_("add, done, reopen, assign or due")),
        Arg(
            "rest", "text", N_("the task's text, or its number N and what follows"), optional=True
        ),
    ),
    flags=(
        Flag("owner", "word", N_("who owns it: @user, a role, liaison:ORG or an org id"), "WHO"),
        Flag("due", "word", N_("due this long from now: 45s, 30m, 4h, 1d"), "D"),
    ),
    details=N_(
        "task add TEXT [--owner WHO] [--due D] · task done N [TEXT] · task reopen N · "
        "task assign N WHO · task due N D. Anyone in the incident may add, tick off and "
        "reopen tasks; assigning and re-timing need the commander, the deputy or the owner."
    ),
)
async def task(
    ctx: Context, *, action: str, rest: str | None, owner: str | None, due: str | None
) -> Reply:
    lang = ctx.services.config.language(ctx.actor.org)
    verb = action.lower()
    if verb not in USAGE:
        raise CommandError(
            lang.format(
                "unknown task action {action!r}: add, done, reopen, assign or due", action=action
            )
        )
    if verb != "add" and (owner is not None or due is not None):
        raise CommandError(
            lang.gettext(
                "--owner and --due go with `task add`; later, `task assign` or `task due`"
            ),
            usage=USAGE[verb],
        )
    try:
        if verb == "add":
            return await _add(ctx, lang, rest or "", owner, due)
        number, words = _number(lang, rest or "", USAGE[verb])
        return await _ACTIONS[verb](ctx, lang, number, words)
    except CommandError as exc:
        exc.usage = exc.usage or USAGE[verb]  # the action's usage, not the whole verb's
        raise


def _number(lang: Language, rest: str, usage: str) -> tuple[int, str]:
    first, number, words = leading_number(rest)
    if number is None:
        shown = first or lang.gettext("nothing")
        raise CommandError(
            lang.format("N must be the task's number, like 3, not {given!r}", given=shown),
            usage=usage,
        )
    return number, words


def owner_from(ctx: Context, lang: Language, raw: str, orgs: Sequence[str], key: str) -> Owner:
    """WHO: a role, `liaison:ORG` or an org id of the incident, else `@user` of one of its
    organisations; a CommandError says why not."""
    try:
        return parse_owner(raw, orgs=orgs)
    except OwnerError as exc:
        problem = exc
    user = ctx.parse_user(raw) if raw.startswith("@") else None
    if user is None:
        raise CommandError(
            lang.format(problem.reason, who=problem.who, roles=", ".join(OWNER_ROLES))
        )
    org = ctx.services.directory.org_of(user)
    if org is None:
        raise CommandError(
            lang.format("{who} belongs to no organisation in the config", who=user.name)
        )
    if org not in orgs:
        raise CommandError(
            lang.format(
                "{who} is of {org}, which does not take part in {key}",
                who=user.name,
                org=org,
                key=key,
            )
        )
    return Owner(OwnerKind.USER, user=user, org=org)


async def _add(
    ctx: Context, lang: Language, text: str, owner: str | None, due: str | None
) -> Reply:
    if not text.strip():
        raise CommandError(lang.gettext("TEXT is missing: what is to be done"), usage=USAGE["add"])
    now = ctx.services.clock.now()
    due_in = duration_argument(lang, due, USAGE["add"]) if due is not None else None

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        who = Owner()
        if owner:
            who = owner_from(ctx, lang, owner, uow.incidents.orgs(incident.id), incident.key)
        added = tasks.add_task(
            uow,
            incident,
            actor=ctx.actor,
            text=text,
            owner=who,
            due_at=now + due_in if due_in else None,
            at=now,
            event_id=ctx.event_id,
        )
        headline = lang.format(
            "{who} added task #{number}", who=ctx.actor.user.name, number=added.number
        )
        return _about(uow, incident, added, headline, lang, redacted(text))

    return Reply(await ctx.change(work, light=light_input(text)), public=True)


def _about(
    uow: UnitOfWork,
    incident: Incident,
    task: Task,
    headline: str,
    lang: Language,
    text: str | None,
    *,
    tlp: str | None = None,
) -> Message:
    """A change to a task as the room where it was typed sees it."""
    assert incident.id is not None
    # only a role's task names who holds the role
    roles = uow.roles.current(incident.id) if task.owner_kind == OwnerKind.ROLE else []
    line = checklist.task_line(task, text, roles, lang) if text is not None else ""
    return Message(body="\n".join(p for p in (headline, line) if p), tlp=tlp or task.tlp)


def _find(
    ctx: Context, uow: UnitOfWork, incident: Incident, number: int, lang: Language
) -> tuple[Task, str | None]:
    """Task N, and its text as the room where the command was typed may see it. A task the
    caller's organisation may not see is not there for it."""
    assert incident.id is not None
    found = uow.tasks.get(incident.id, number)
    seen = Visibility.of(uow, ctx.services.config, incident)
    if found is None or not seen.may_see(tasks.said(found), ctx.actor.org, Where.VIEW):
        raise CommandError(
            lang.format("there is no task #{number} in {key}", number=number, key=incident.key)
        )
    return found, tasks.shown_text(seen, found, ctx.actor.org, Where.ROOM)


def _may_change(
    ctx: Context,
    uow: UnitOfWork,
    incident: Incident,
    task: Task,
    lang: Language,
    roles: Sequence[RoleAssignment],
) -> None:
    assert incident.id is not None
    held = uow.roles.held_by(incident.id, ctx.actor.user)
    if held & set(LEAD_ROLES) or tasks.is_owner(task, ctx.actor.user, roles):
        return
    raise CommandError(
        lang.format(
            "not allowed: only the commander, the deputy or the owner of task #{number} "
            "may change it",
            number=task.number,
        )
    )


async def _done(ctx: Context, lang: Language, number: int, note: str) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        found, text = _find(ctx, uow, incident, number, lang)
        if found.done_at is not None:
            raise CommandError(lang.format("task #{number} is done already", number=number))
        tasks.done(uow, incident, found, actor=ctx.actor, note=note, at=now)
        headline = lang.format(
            "{who} ticked off task #{number}", who=ctx.actor.user.name, number=number
        )
        said = f"{headline}: {redacted(note)}" if note else headline
        marked = effective_tlp(note, Tlp.parse(incident.tlp)) if note else Tlp.CLEAR
        banner = max(parse_tlp(found.tlp), marked).label
        return _about(uow, incident, found, said, lang, text, tlp=banner)

    return Reply(await ctx.change(work, light=light_input(note)), public=True)


async def _reopen(ctx: Context, lang: Language, number: int, extra: str) -> Reply:
    _nothing_more(lang, extra, USAGE["reopen"])
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        found, text = _find(ctx, uow, incident, number, lang)
        if found.done_at is None:
            raise CommandError(lang.format("task #{number} is not done", number=number))
        tasks.reopen(uow, incident, found, actor=ctx.actor, at=now)
        headline = lang.format(
            "{who} reopened task #{number}", who=ctx.actor.user.name, number=number
        )
        return _about(uow, incident, found, headline, lang, text)

    return Reply(await ctx.change(work), public=True)


async def _assign(ctx: Context, lang: Language, number: int, who: str) -> Reply:
    if not who or " " in who:
        raise CommandError(
            lang.gettext("give one owner: @user, a role, liaison:ORG or an org id"),
            usage=USAGE["assign"],
        )
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        found, text = _find(ctx, uow, incident, number, lang)
        roles = uow.roles.current(incident.id)
        _may_change(ctx, uow, incident, found, lang, roles)
        owner = owner_from(ctx, lang, who, uow.incidents.orgs(incident.id), incident.key)
        if owner.key == tasks.owner_of(found).key:
            raise CommandError(
                lang.format(
                    "task #{number} belongs to {owner} already", number=number, owner=owner.label
                )
            )
        tasks.assign(uow, incident, found, actor=ctx.actor, owner=owner, at=now)
        headline = lang.format(
            "{who} gave task #{number} to {owner}",
            who=ctx.actor.user.name,
            number=number,
            owner=owner.label,
        )
        return _about(uow, incident, found, headline, lang, text)

    return Reply(await ctx.change(work), public=True)


async def _due(ctx: Context, lang: Language, number: int, raw: str) -> Reply:
    if not raw:
        raise CommandError(
            lang.gettext("D is missing: how long from now, like 4h"), usage=USAGE["due"]
        )
    delta = duration_argument(lang, raw, USAGE["due"])
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        found, text = _find(ctx, uow, incident, number, lang)
        _may_change(ctx, uow, incident, found, lang, uow.roles.current(incident.id))
        if found.done_at is not None:
            raise CommandError(lang.format("task #{number} is done already", number=number))
        tasks.set_due(uow, incident, found, actor=ctx.actor, due_at=now + delta, at=now)
        headline = lang.format(
            "{who} set task #{number} due {when}",
            who=ctx.actor.user.name,
            number=number,
            when=now + delta,
        )
        return _about(uow, incident, found, headline, lang, text)

    return Reply(await ctx.change(work), public=True)


def _nothing_more(lang: Language, extra: str, usage: str) -> None:
    if extra:
        raise CommandError(lang.format("unexpected {extra!r}", extra=extra), usage=usage)


_ACTIONS: dict[str, Callable[[Context, Language, int, str], Awaitable[Reply]]] = {
    "done": _done,
    "reopen": _reopen,
    "assign": _assign,
    "due": _due,
}


@command(
    "tasks",
    N_("list the incident's tasks"),
    flags=(
        Flag("open", "bool", N_("only those not done yet")),
        Flag("mine", "bool", N_("only yours: yours by name, or by a role you hold")),
    ),
)
async def list_tasks(ctx: Context, *, open: bool, mine: bool) -> Reply:
    lang = ctx.services.config.language(ctx.actor.org)
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        seen = Visibility.of(uow, ctx.services.config, incident)
        roles = uow.roles.current(incident.id)
        shown = checklist.visible(
            seen, uow.tasks.for_incident(incident.id), ctx.actor.org, Where.VIEW
        )
        if open:
            shown = [(t, text) for t, text in shown if t.done_at is None]
        if mine:
            shown = [(t, text) for t, text in shown if tasks.is_owner(t, ctx.actor.user, roles)]
        title = lang.format("{key} tasks", key=incident.key)
        return checklist.task_list(seen, shown, roles, lang, title=title, now=now)

    return Reply(await ctx.read(work))
