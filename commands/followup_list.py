"""`followups`: in a war room its incident's follow-ups; elsewhere those of every incident the
caller's organisation takes part in, read in a few queries however many incidents there are,
each follow-up asked of the disclosure rule."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.grammar import Flag, Permission
from warroom.bot.operations import followups
from warroom.bot.operations.org_view import views_of
from warroom.bot.operations.review_card import followup_line
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.bot.registry import command
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork


@command(
    "followups",
    N_("list follow-ups: this incident's in a war room, else every incident's you may see"),
    flags=(
        Flag("open", "bool", N_("only those not done yet")),
        Flag("mine", "bool", N_("only those you own")),
    ),
    permission=Permission.ANYONE,
    needs_incident=False,
)
async def list_followups(ctx: Context, *, open: bool, mine: bool) -> Reply:
    lang, org, user = ctx.lang, ctx.actor.org, ctx.actor.user
    now = ctx.services.clock.now()
    config = ctx.services.config

    def work(uow: UnitOfWork) -> Message:
        here = uow.incidents.by_room(ctx.room)
        if here is not None and here.id is not None:
            items: Sequence[followups.Listed] = uow.followups.for_incident(here.id)
            items = [f for f in items if not (open and f.done_at)]
            items = [f for f in items if not mine or followups.is_owner(f, user)]
            views = {here.id: Visibility.of(uow, config, here)}
            where = Where.ROOM
        else:
            items = uow.followups.of_org_incidents(
                org, open_only=open, owner=user if mine else None
            )
            views = views_of(uow, config, {f.incident_id for f in items})
            where = Where.VIEW
        lines: list[str] = []
        held: set[str] = set()
        heading: int | None = None
        for item in items:
            view = views[item.incident_id]
            text = view.show(followups.said(item), org, where)
            if text is None:
                continue
            if here is None and heading != item.incident_id:
                heading = item.incident_id
                lines.append(f"**{view.title(org, where)}**")
            lines.append(followup_line(item, text, lang, now=now))
            held.add(item.tlp)
        banner = max(map(parse_tlp, held), default=Tlp.CLEAR)
        return _listing(here, lines, lang, banner)

    return Reply(await ctx.services.store.transaction(work), public=False)


def _listing(here: Incident | None, lines: Sequence[str], lang: Language, banner: Tlp) -> Message:
    title = lang.format("{key} follow-ups", key=here.key) if here else lang.gettext("Follow-ups")
    body = "\n".join(lines) or lang.gettext("No follow-ups.")
    return Message(title=title, body=body, tlp=banner.label)
