"""`stats [--since D] [--sev N]`: the indicators over the incidents the caller's organisation
took part in, answered privately in its language."""

from __future__ import annotations

from datetime import timedelta

from warroom.bot.config import parse_duration
from warroom.bot.context import Context, Reply
from warroom.bot.domain.language import N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.grammar import CommandError, Flag, Permission
from warroom.bot.operations.stats import DEFAULT_SINCE, Indicators, indicators
from warroom.bot.operations.stats_text import exercise_lines, section_lines
from warroom.bot.registry import command
from warroom.storage.store import UnitOfWork


@command(
    "stats",
    N_("indicators over the incidents your organisation took part in"),
    flags=(
        Flag("since", "word", N_("incidents opened this long ago or later: 30d, 12h"), "D"),
        Flag("sev", "sev", N_("only incidents of this severity, 1 to 4"), "N"),
    ),
    permission=Permission.ANYONE,
    needs_incident=False,
    details=N_(
        "Per severity: how many, median and p90 times to acknowledge, contain and resolve, "
        "the share within the [goals], tasks done; a trend by month; how fast each "
        "organisation answers once brought in. Exercises are counted apart. Default: 90 days."
    ),
)
async def stats(ctx: Context, *, since: str | None, sev: int | None) -> Reply:
    lang = ctx.lang
    period = _period(lang, since)
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork) -> Indicators:
        return indicators(
            uow, ctx.services.config, now=now, since=period, as_org=ctx.actor.org, severity=sev
        )

    found = await ctx.services.store.transaction(work)
    return Reply(answer(found, period, lang))


def _period(lang: Language, since: str | None) -> timedelta:
    if since is None:
        return DEFAULT_SINCE
    try:
        return parse_duration(since)
    except ValueError:
        raise CommandError(
            lang.format("{raw!r} is not a duration like 45s, 30m, 4h or 90d", raw=since)
        ) from None


def answer(found: Indicators, period: timedelta, lang: Language) -> Message:
    title = lang.format(
        "Indicators for {org}, incidents opened in the last {period}",
        org=found.view or "",
        period=lang.exact_duration(period),
    )
    lines = section_lines(found.real, lang)
    if not lines:
        lines = [lang.gettext("No incident was opened in that time.")]
    lines += exercise_lines(found.exercises, lang)
    return Message(
        title=title,
        body="\n".join(lines),
        footer=lang.gettext("Percentiles are nearest-rank: each is a time one incident took."),
    )
