"""Searching the archive: `search TEXT [--since D]`, and similar incidents offered at `open`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from warroom.bot.config import parse_duration
from warroom.bot.context import Context, Reply
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.grammar import Arg, CommandError, Flag, Permission
from warroom.bot.operations import search as archive
from warroom.bot.operations.effects import SuggestSimilar, queue
from warroom.bot.operations.visibility import redacted
from warroom.bot.registry import command
from warroom.storage.search import words_of
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)
USAGE = "search TEXT [--since D]"


@command(
    "search",
    N_("search past and open incidents your organisation may see"),
    args=(Arg("text", "text", N_("the words to look for: every one must match")),),
    flags=(
        Flag("since", "word", N_("only incidents opened this long ago or later: 4h, 30d"), "D"),
    ),
    permission=Permission.ANYONE,
    needs_incident=False,
    details=N_(
        "Looks in titles, timelines, reviews and follow-ups, as your organisation may see "
        "them, and lists the ten best matches with their key, title, date and state."
    ),
)
async def search(ctx: Context, *, text: str, since: str | None) -> Reply:
    lang = ctx.lang
    words = words_of(text)
    if not words:
        raise CommandError(lang.gettext("TEXT is missing: the words to look for"), usage=USAGE)
    after = None
    if since is not None:
        try:
            after = ctx.services.clock.now() - parse_duration(since)
        except (ValueError, OverflowError):
            raise CommandError(
                lang.format("{raw!r} is not a duration like 45s, 30m, 4h or 1d", raw=since),
                usage=USAGE,
            ) from None

    def work(uow: UnitOfWork) -> list[archive.Found]:
        return archive.search(uow, ctx.services.config, ctx.actor.org, words, since=after)

    found = await ctx.services.store.transaction(work)
    return Reply(results(found, redacted(" ".join(words)), lang))


def results(found: Sequence[archive.Found], query: str, lang: Language) -> Message:
    title = lang.format("Search: {query}", query=query)
    if not found:
        return Message(title=title, body=lang.format("Nothing found for {query}.", query=query))
    lines = []
    for one in found:
        lines.append(one.title)
        lines.append(f"    {lang.date(one.incident.opened_at)} · {one.incident.state}")
        if one.snippet:
            lines.append(f"    {one.snippet}")
    return Message(title=title, body="\n".join(lines), tlp=max(f.tlp for f in found).label)


async def suggest(ctx: Context, title: str) -> None:
    """Queue, for the opener alone, a look for the past incidents like this one that their
    organisation may see: it is made and delivered after the answer to `open`. A failure
    here costs only that."""
    now = ctx.services.clock.now()
    effect = SuggestSimilar(ctx.room, ctx.actor.user, ctx.actor.org, title)

    def work(uow: UnitOfWork) -> None:
        queue(uow, effect, at=now)

    try:
        await ctx.services.store.transaction(work, light=True)
    except Exception:
        log.exception("could not look for incidents like %s", ctx.event_id)
