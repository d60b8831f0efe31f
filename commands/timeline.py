"""Writing to and reading the timeline."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Where, effective_tlp
from warroom.bot.domain.language import N_
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.grammar import Arg, Flag
from warroom.bot.operations import cards, incidents
from warroom.bot.operations.services import light_input
from warroom.bot.operations.visibility import Visibility, redacted
from warroom.bot.registry import command
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork


@command(
    "note", N_("add an entry to the timeline"), args=(Arg("text", "text", N_("what happened")),)
)
async def note(ctx: Context, *, text: str) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        seq = incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.NOTE,
            actor=ctx.actor,
            text=text,
            source_event_id=ctx.event_id,
        )
        tlp = effective_tlp(text, Tlp.parse(incident.tlp))
        body = ctx.lang.format(
            "📝 {who} noted (#{seq}): {text}",
            who=ctx.actor.user.name,
            seq=seq,
            text=redacted(text),
        )
        return Message(body=body, tlp=tlp.label)

    return Reply(await ctx.change(work, light=light_input(text)), public=True)


@command(
    "timeline",
    N_("show the timeline"),
    flags=(Flag("last", "int", N_("only the newest N entries"), "N"),),
)
async def timeline(ctx: Context, *, last: int | None) -> Reply:
    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        seen = Visibility.of(uow, ctx.services.config, incident)
        entries = uow.timeline.entries(incident.id, last=last)
        shown = seen.entries(entries, ctx.actor.org, Where.VIEW)
        return cards.timeline_message(
            incident, shown, tlp=seen.highest_tlp(e for e, _ in shown), lang=ctx.lang
        )

    return Reply(await ctx.read(work))
