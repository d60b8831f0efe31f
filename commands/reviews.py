"""The post-incident review: `review`, `review good|improve TEXT`, `review done`."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.language import N_, Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import DONE_STATES
from warroom.bot.grammar import Arg, CommandError
from warroom.bot.operations import reviews
from warroom.bot.operations.review_card import review_card
from warroom.bot.operations.visibility import Visibility
from warroom.bot.registry import command
from warroom.storage.models import Incident, Review
from warroom.storage.store import UnitOfWork

USAGE = {
    "": "review",
    "good": "review good TEXT",
    "improve": "review improve TEXT",
    "done": "review done",
}


@command(
    "review",
    N_("the post-incident review: draft it, add lessons, mark it final"),
    args=(
        Arg("action", "word", N_("good, improve or done; none: show it"), optional=True),
        Arg("text", "text", N_("the lesson"), optional=True),
    ),
    details=N_(
        "review · review good TEXT · review improve TEXT · review done. After `resolve`, "
        "`review` posts the draft built from the timeline as this room's organisation may "
        "see it, and again the current state each time. Every organisation adds lessons; a "
        "lesson's TLP is its own marking, else the incident's. The commander or deputy marks "
        "the review final with `review done`."
    ),
)
async def review(ctx: Context, *, action: str | None, text: str | None) -> Reply:
    lang = ctx.lang
    verb = (action or "").lower()
    if verb not in USAGE:
        raise CommandError(
            lang.format("unknown review action {action!r}: good, improve or done", action=action)
        )
    usage = USAGE[verb]
    if verb in ("good", "improve") and not (text or "").strip():
        raise CommandError(lang.gettext("TEXT is missing: what is the lesson"), usage=usage)
    if verb in ("", "done") and text:
        raise CommandError(lang.format("unexpected {extra!r}", extra=text), usage=usage)
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        if incident.state not in DONE_STATES:
            raise CommandError(
                phrase(
                    "{key} is {state}: the review comes after `resolve`",
                    key=incident.key,
                    state=incident.state,
                ),
                usage=usage,
            )
        if verb == "done":
            ctx.require_lead(uow, incident)
        found = reviews.ensure(uow, incident, actor=ctx.actor, at=now)
        if verb in ("good", "improve", "done") and found.final_at is not None:
            raise CommandError(
                lang.format("the review of {key} is final already", key=incident.key),
                usage=usage,
            )
        if verb == "done":
            reviews.finish(uow, incident, found, actor=ctx.actor, at=now)
        elif verb:
            kind = reviews.LessonKind(verb)
            reviews.add_lesson(
                uow,
                incident,
                actor=ctx.actor,
                kind=kind,
                text=text or "",
                at=now,
                event_id=ctx.event_id,
            )
        return _shown(ctx, uow, incident, found, lang)

    return Reply(await ctx.change(work, closed_too=True), public=True)


def _shown(
    ctx: Context, uow: UnitOfWork, incident: Incident, found: Review, lang: Language
) -> Message:
    """The review as the room it was asked in may see it (an answer elsewhere, --id: the
    caller's organisation's view, given privately)."""
    seen = Visibility.of(uow, ctx.services.config, incident)
    reader, where = ctx.actor.org, Where.VIEW
    assert incident.id is not None
    here = [link for link in uow.rooms.for_incident(incident.id) if link.room == ctx.room]
    if here and ctx.in_its_room:
        reader, where = here[0].org, Where.ROOM
    return review_card(uow, seen, found, reader, where)
