"""`warroom report`: the indicators as JSON (times in seconds, ISO 8601 UTC bounds) or as
a Markdown report in the reader's language."""

from __future__ import annotations

from typing import Any

from warroom.bot.domain.clock import iso
from warroom.bot.domain.figures import OrgClock, Row, Section, Spread
from warroom.bot.domain.goals import MEASURES
from warroom.bot.domain.language import Language
from warroom.bot.operations.stats import Indicators
from warroom.bot.operations.stats_counts import COUNTS
from warroom.bot.operations.stats_text import exercise_lines, section_lines

PERCENTILES = "nearest-rank"


def report_json(found: Indicators) -> dict[str, Any]:
    return {
        "since": iso(found.since),
        "until": iso(found.until),
        "view": found.view,
        "severity": found.severity,
        "percentiles": PERCENTILES,
        "incidents": _section(found.real),
        "exercises": _section(found.exercises),
    }


def _section(part: Section) -> dict[str, Any]:
    return {
        "count": part.count,
        "by_severity": [{"severity": int(r.label), **_row(r)} for r in part.rows],
        "by_month": [{"month": r.label, **_row(r)} for r in part.months],
        "org_clocks": [_clock(c) for c in part.clocks],
    }


def _row(row: Row) -> dict[str, Any]:
    figures: dict[str, Any] = {"count": row.count}
    for measure in MEASURES:
        figures[measure.value] = _spread(row.spreads[measure])
    figures.update({c.key: n for c, n in zip(COUNTS, row.counts, strict=True)})
    return figures


def _spread(spread: Spread) -> dict[str, Any]:
    return {
        "reached": spread.reached,
        "median_s": spread.median,
        "p90_s": spread.p90,
        "target_s": spread.target.total_seconds() if spread.target else None,
        "within_target": spread.within,
        "judged": spread.decided,
        "share_within_target": round(spread.share, 4) if spread.share is not None else None,
    }


def _clock(clock: OrgClock) -> dict[str, Any]:
    return {
        "org": clock.org,
        "brought_in": clock.brought_in,
        "answered": clock.answered,
        "median_s": clock.median,
        "p90_s": clock.p90,
    }


def report_markdown(found: Indicators, lang: Language) -> str:
    heading = (
        lang.format("Indicators for {org}", org=found.view)
        if found.view
        else lang.gettext("Indicators")
    )
    period = lang.format(
        "Incidents opened from {since} to {until}.", since=found.since, until=found.until
    )
    lines = [f"# {heading}", "", period, ""]
    real = section_lines(found.real, lang)
    lines += real or [lang.gettext("No incident was opened in that time.")]
    exercises = exercise_lines(found.exercises, lang)
    if exercises:
        lines += ["", f"## {exercises[0]}", *exercises[1:]]
    note = lang.gettext("Percentiles are nearest-rank: each is a time one incident took.")
    lines += ["", f"_{note}_"]
    return "\n".join(_markdown_line(line) for line in lines) + "\n"


def _markdown_line(line: str) -> str:
    """The chat lines' two-space indents as list items."""
    return f"- {line.strip()}" if line.startswith("  ") else line
