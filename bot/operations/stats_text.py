"""The indicators in a reader's words: the `stats` answer and the Markdown report share these
lines, every label from the catalogs and every duration written by `Language`."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_percent

from warroom.bot.domain.figures import OrgClock, Row, Section, Spread
from warroom.bot.domain.goals import MEASURES, Measure
from warroom.bot.domain.language import N_, Language, Quantity
from warroom.bot.operations.stats_counts import COUNTS

MEASURE_NAMES = {
    Measure.ACKNOWLEDGE: N_("acknowledged"),
    Measure.CONTAIN: N_("contained"),
    Measure.RESOLVE: N_("resolved"),
}


def span(seconds: float | None, lang: Language) -> str:
    return "-" if seconds is None else lang.exact_duration(seconds)


def share(spread: Spread, lang: Language) -> str:
    """`75% (3 of 4) within 15 minutes`; "" where no incident was judged against a goal."""
    if spread.share is None:
        return ""
    values = {
        "share": format_percent(spread.share, locale=lang.locale),
        "within": Quantity(spread.within),
        "decided": Quantity(spread.decided),
    }
    if spread.target is None:
        return lang.format("{share} ({within} of {decided}) within goal", **values)
    return lang.format(
        "{share} ({within} of {decided}) within {target}",
        target=lang.exact_duration(spread.target),
        **values,
    )


def measure_text(measure: Measure, spread: Spread, lang: Language) -> str:
    """`resolved: median 2 hours, p90 5 hours (4 of 5); 75% (3 of 4) within 4 hours`."""
    if not spread.reached:
        said = lang.format("{measure}: none yet", measure=lang.gettext(MEASURE_NAMES[measure]))
    else:
        said = lang.format(
            "{measure}: median {median}, p90 {p90} ({reached})",
            measure=lang.gettext(MEASURE_NAMES[measure]),
            median=span(spread.median, lang),
            p90=span(spread.p90, lang),
            reached=Quantity(spread.reached),
        )
    judged = share(spread, lang)
    return f"{said}; {judged}" if judged else said


def counts_text(row: Row, lang: Language) -> str:
    return " · ".join(
        lang.format("{label}: {n}", label=lang.gettext(c.label), n=Quantity(n))
        for c, n in zip(COUNTS, row.counts, strict=True)
    )


def row_lines(heading: str, row: Row, lang: Language) -> list[str]:
    incidents = lang.ngettext("{n} incident", "{n} incidents", row.count)
    lines = [f"**{heading}** · {incidents.format(n=lang.value(Quantity(row.count)))}"]
    lines += [f"  {measure_text(m, row.spreads[m], lang)}" for m in MEASURES]
    counts = counts_text(row, lang)
    return [*lines, f"  {counts}"] if counts else lines


def month_line(row: Row, lang: Language) -> str:
    """`2026-11: 5 · resolved median 2 hours`."""
    resolved = row.spreads[Measure.RESOLVE]
    return lang.format(
        "{month}: {n} · acknowledged median {ack} · resolved median {resolved}",
        month=row.label,
        n=Quantity(row.count),
        ack=span(row.spreads[Measure.ACKNOWLEDGE].median, lang),
        resolved=span(resolved.median, lang),
    )


def clock_line(clock: OrgClock, lang: Language) -> str:
    """`cert: first answer median 10 minutes, p90 25 minutes (answered 3 of 4)`."""
    if not clock.answered:
        return lang.format(
            "{org}: no answer yet (brought into {n})", org=clock.org, n=Quantity(clock.brought_in)
        )
    return lang.format(
        "{org}: first answer median {median}, p90 {p90} (answered {answered} of {n})",
        org=clock.org,
        median=span(clock.median, lang),
        p90=span(clock.p90, lang),
        answered=Quantity(clock.answered),
        n=Quantity(clock.brought_in),
    )


def section_lines(part: Section, lang: Language) -> list[str]:
    lines: list[str] = []
    for row in part.rows:
        lines += row_lines(f"SEV{row.label}", row, lang)
    if part.months:
        lines.append(lang.gettext("By month (opened):"))
        lines += [f"  {month_line(m, lang)}" for m in part.months]
    if part.clocks:
        lines.append(lang.gettext("Each organisation's clock, from being brought in:"))
        lines += [f"  {clock_line(c, lang)}" for c in part.clocks]
    return lines


def exercise_lines(part: Section, lang: Language) -> Sequence[str]:
    """Exercises, counted apart: never in the real figures."""
    if not part.count:
        return ()
    heading = lang.ngettext(
        "Exercises, counted apart: {n} exercise",
        "Exercises, counted apart: {n} exercises",
        part.count,
    )
    return [heading.format(n=lang.value(Quantity(part.count))), *section_lines(part, lang)]
