"""Follow-ups, the action items that outlive an incident: `followup add|done|reopen|due ...`
(`followups`, which lists them anywhere, is in followup_list.py)."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import LEAD_ROLES
from warroom.bot.grammar import (
    Arg,
    CommandError,
    Flag,
    duration_argument,
    leading_number,
)
from warroom.bot.operations import followups
from warroom.bot.operations.review_card import followup_line
from warroom.bot.operations.visibility import Visibility, redacted
from warroom.bot.registry import command
from warroom.commands.tasks import owner_from
from warroom.storage.models import Followup, Incident
from warroom.storage.store import UnitOfWork

USAGE = {
    "add": "followup add TEXT --owner WHO [--due D]",
    "done": "followup done N",
    "reopen": "followup reopen N",
    "due": "followup due N D",
}


@command(
    "followup",
    N_("add, tick off, reopen or re-time a follow-up: an action item that outlives the incident"),
    args=(
        Arg("action", "word", N_("add, done, reopen or due")),
        Arg(
            "rest",
            "text",
            N_("the follow-up's text, or its number N and what follows"),
            optional=True,
        ),
    ),
    flags=(
        Flag("owner", "word", N_("who owns it: @user, a role, liaison:ORG or an org id"), "WHO"),
        Flag("due", "word", N_("due this long from now: 45s, 30m, 4h, 1d"), "D"),
    ),
    details=N_(
        "followup add TEXT --owner WHO [--due D] · followup done N · followup reopen N · "
        "followup due N D. A follow-up given to a role belongs to whoever holds the role when "
        "it is added, since the incident's roles end with it. Re-timing needs the commander, "
        "the deputy or the owner. Follow-ups stay open after `close`; a due one is reminded "
        "once to its owner, privately and in their organisation's digest room, and once "
        "more if it is reopened or re-timed."
    ),
)
async def followup(
    ctx: Context, *, action: str, rest: str | None, owner: str | None, due: str | None
) -> Reply:
    lang = ctx.lang
    verb = action.lower()
    if verb not in USAGE:
        raise CommandError(
            lang.format(
                "unknown followup action {action!r}: add, done, reopen or due", action=action
            )
        )
    usage = USAGE[verb]
    if verb != "add" and (owner is not None or due is not None):
        raise CommandError(lang.gettext("--owner and --due go with `followup add`"), usage=usage)
    if verb == "add":
        return await _add(ctx, lang, rest or "", owner, due)
    number, extra = _number(lang, rest or "", usage)
    if verb == "due":
        return await _due(ctx, lang, number, extra)
    if extra:
        raise CommandError(lang.format("unexpected {extra!r}", extra=extra), usage=usage)
    return await _tick(ctx, lang, number, done=verb == "done")


async def _add(
    ctx: Context, lang: Language, text: str, owner: str | None, due: str | None
) -> Reply:
    usage = USAGE["add"]
    if not text.strip():
        raise CommandError(lang.gettext("TEXT is missing: what is to be done"), usage=usage)
    if owner is None:
        raise CommandError(
            lang.gettext("--owner is missing: a follow-up needs someone to own it"), usage=usage
        )
    now = ctx.services.clock.now()
    due_in = duration_argument(lang, due, usage) if due is not None else None

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        pinned = _owner(ctx, lang, uow, incident, owner, text)
        added = followups.add(
            uow,
            incident,
            actor=ctx.actor,
            text=text,
            owner=pinned,
            due_at=now + due_in if due_in else None,
            at=now,
            event_id=ctx.event_id,
        )
        headline = lang.format(
            "{who} added follow-up #{number}", who=ctx.actor.user.name, number=added.number
        )
        line = followup_line(added, redacted(text), lang)
        return Message(body=f"{headline}\n{line}", tlp=added.tlp)

    return Reply(await ctx.change(work, closed_too=True), public=True)


def _owner(
    ctx: Context, lang: Language, uow: UnitOfWork, incident: Incident, raw: str, text: str
) -> followups.Pinned:
    """The person WHO names now, who must be of an organisation that may see `text`."""
    assert incident.id is not None
    usage = USAGE["add"]
    try:
        named = owner_from(ctx, lang, raw, uow.incidents.orgs(incident.id), incident.key)
    except CommandError as exc:
        exc.usage = usage
        raise
    pinned = followups.pin(named, uow.roles.current(incident.id))
    if pinned is None:
        raise CommandError(
            lang.format(
                "nobody holds the role {role} in {key}: name a person with @user",
                role=named.label,
                key=incident.key,
            ),
            usage=usage,
        )
    seen = Visibility.of(uow, ctx.services.config, incident)
    tlp = effective_tlp(text, Tlp.parse(incident.tlp))
    if not seen.may_see(Said(text, tlp, ctx.actor.org), pinned.org, Where.VIEW):
        raise CommandError(
            lang.format(
                "{who} is of {org}, which may not see a follow-up at TLP:{tlp}",
                who=pinned.label,
                org=pinned.org,
                tlp=tlp.label,
            ),
            usage=usage,
        )
    return pinned


def _find(
    ctx: Context, uow: UnitOfWork, incident: Incident, number: int, lang: Language
) -> tuple[Followup, str]:
    """Follow-up N and its text as the caller's room may see it; one the caller's
    organisation may not see is not there for it."""
    assert incident.id is not None
    found = uow.followups.get(incident.id, number)
    seen = Visibility.of(uow, ctx.services.config, incident)
    shown = seen.show(followups.said(found), ctx.actor.org, Where.VIEW) if found else None
    if found is None or shown is None:
        raise CommandError(
            lang.format(
                "there is no follow-up #{number} in {key}", number=number, key=incident.key
            )
        )
    here = seen.show(followups.said(found), ctx.actor.org, Where.ROOM)
    return found, here if here is not None else ""


async def _tick(ctx: Context, lang: Language, number: int, *, done: bool) -> Reply:
    now = ctx.services.clock.now()
    usage = USAGE["done" if done else "reopen"]

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        found, text = _find(ctx, uow, incident, number, lang)
        if done and found.done_at is not None:
            raise CommandError(
                lang.format("follow-up #{number} is done already", number=number), usage=usage
            )
        if not done and found.done_at is None:
            raise CommandError(
                lang.format("follow-up #{number} is not done", number=number), usage=usage
            )
        if done:
            followups.done(uow, incident, found, actor=ctx.actor, at=now)
            headline = lang.format(
                "{who} ticked off follow-up #{number}", who=ctx.actor.user.name, number=number
            )
        else:
            followups.reopen(uow, incident, found, actor=ctx.actor, at=now)
            headline = lang.format(
                "{who} reopened follow-up #{number}", who=ctx.actor.user.name, number=number
            )
        lines = [headline, followup_line(found, text, lang)] if text else [headline]
        return Message(body="\n".join(lines), tlp=found.tlp)

    return Reply(await ctx.change(work, closed_too=True), public=True)


async def _due(ctx: Context, lang: Language, number: int, raw: str) -> Reply:
    usage = USAGE["due"]
    if not raw:
        raise CommandError(lang.gettext("D is missing: how long from now, like 4h"), usage=usage)
    now = ctx.services.clock.now()
    due_at = now + duration_argument(lang, raw, usage)

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        found, text = _find(ctx, uow, incident, number, lang)
        lead = uow.roles.held_by(incident.id, ctx.actor.user) & set(LEAD_ROLES)
        if not lead and not followups.is_owner(found, ctx.actor.user):
            raise CommandError(
                lang.format(
                    "not allowed: only the commander, the deputy or the owner of follow-up "
                    "#{number} may re-time it",
                    number=number,
                )
            )
        if found.done_at is not None:
            raise CommandError(
                lang.format("follow-up #{number} is done already", number=number), usage=usage
            )
        followups.set_due(uow, incident, found, actor=ctx.actor, due_at=due_at, at=now)
        headline = lang.format(
            "{who} set follow-up #{number} due {when}",
            who=ctx.actor.user.name,
            number=number,
            when=due_at,
        )
        lines = [headline, followup_line(found, text, lang)] if text else [headline]
        return Message(body="\n".join(lines), tlp=found.tlp)

    return Reply(await ctx.change(work, closed_too=True), public=True)


def _number(lang: Language, rest: str, usage: str) -> tuple[int, str]:
    first, number, words = leading_number(rest)
    if number is None:
        shown = first or lang.gettext("nothing")
        raise CommandError(
            lang.format("N must be the follow-up's number, like 3, not {given!r}", given=shown),
            usage=usage,
        )
    return number, words
