"""`dashboard`: a private one-time link to the web dashboard, as the caller's organisation."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.language import N_
from warroom.bot.domain.messages import Message
from warroom.bot.grammar import Permission
from warroom.bot.operations.web_login import LINK_LIFETIME, Link, issue_link
from warroom.bot.registry import command
from warroom.storage.store import UnitOfWork


@command(
    "dashboard",
    N_("a private one-time link to the web dashboard"),
    permission=Permission.ANYONE,
    needs_incident=False,
    details=N_(
        "The link signs you in once, within ten minutes; the dashboard then shows what "
        "your organisation may see of its incidents, timelines, tasks and indicators."
    ),
)
async def dashboard(ctx: Context) -> Reply:
    config = ctx.services.config
    now = ctx.services.clock.now()
    base = config.web.link_base(config.http.listen)

    def work(uow: UnitOfWork) -> Link:
        return issue_link(uow, ctx.actor.user, ctx.actor.org, now=now, base_url=base)

    link = await ctx.transaction(work)  # the event is claimed with it: a replay makes none
    lang = ctx.lang
    return Reply(
        Message(
            title=lang.gettext("Your dashboard link"),
            body=link.url,
            footer=lang.format(
                "valid once, for {minutes}; it signs you in as {org}",
                minutes=lang.exact_duration(LINK_LIFETIME),
                org=ctx.actor.org,
            ),
        )
    )
