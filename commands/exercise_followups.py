"""`exercise followups`: after the end, each improvement item of the exercise (an
expectation missed, a `review improve` lesson) becomes a follow-up of its organisation's
liaison, once; asked again, only what is new since becomes one."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.language import Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.grammar import CommandError
from warroom.bot.operations import followups, improvements
from warroom.bot.operations.review_card import followup_line
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.commands.exercise_start import facilitating
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork


async def improvement_followups(
    ctx: Context, lang: Language, words: list[str], usage: str
) -> Reply:
    if words:
        raise CommandError(lang.format("unexpected {extra!r}", extra=" ".join(words)), usage=usage)
    now = ctx.services.clock.now()
    reader = ctx.actor.org

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        run = facilitating(ctx, uow, incident)
        if run.row.ended_at is None:
            raise CommandError(
                phrase(
                    "the exercise in {key} is still running: `exercise end` first",
                    key=incident.key,
                )
            )
        found = improvements.waiting(uow, run)
        unowned = improvements.without_liaison(uow, run, found)
        if unowned:
            raise CommandError(
                phrase(
                    "nobody is liaison of {orgs} in {key}: `role liaison @user` first",
                    orgs=", ".join(unowned),
                    key=incident.key,
                ),
                usage=usage,
            )
        added = improvements.to_followups(uow, run, found, at=now)
        seen = Visibility.of(uow, ctx.services.config, incident)
        shown = [
            (f, text)
            for f in added
            if (text := seen.show(followups.said(f), reader, Where.ROOM)) is not None
        ]
        if not shown:  # none, or none this organisation may see: absent, not counted
            return Message(body=lang.gettext("No improvement item is waiting to be a follow-up."))
        return Message(
            title=lang.gettext("Improvement items made follow-ups"),
            body="\n".join(followup_line(f, text, lang) for f, text in shown),
            tlp=max(parse_tlp(f.tlp) for f, _ in shown).label,
        )

    return Reply(await ctx.change(work, closed_too=True), public=True)
