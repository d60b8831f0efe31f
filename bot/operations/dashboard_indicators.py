"""The dashboard's indicators page: the `stats` figures of one organisation (the same
incidents and the same rule), by severity and by month, shaped for tables and charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from warroom.bot.config import Config
from warroom.bot.domain.figures import Row
from warroom.bot.domain.goals import MEASURES
from warroom.bot.domain.language import Language
from warroom.bot.operations.stats import indicators
from warroom.bot.operations.stats_text import MEASURE_NAMES, span
from warroom.storage.store import UnitOfWork

PERIOD = timedelta(days=365)


def indicator_view(
    uow: UnitOfWork, config: Config, org: str, *, now: datetime, lang: Language
) -> dict[str, Any]:
    found = indicators(uow, config, now=now, since=PERIOD, as_org=org)
    measures = [lang.gettext(MEASURE_NAMES[m]) for m in MEASURES]
    return {
        "view": org,
        "period": lang.exact_duration(PERIOD),
        "measures": measures,
        "severities": _rows(found.real.rows, lang),
        "months": _rows(found.real.months, lang),
        "exercises": found.exercises.count,
        "chart": {
            "months": [row.label for row in found.real.months],
            "severities": [f"SEV{row.label}" for row in found.real.rows],
            "measures": measures,
            # medians in hours, per measure: one line per measure over the months
            "by_month": [_hours(found.real.months, i) for i in range(len(MEASURES))],
            "by_severity": [_hours(found.real.rows, i) for i in range(len(MEASURES))],
        },
    }


def _rows(rows: Sequence[Row], lang: Language) -> list[dict[str, Any]]:
    return [
        {
            "label": row.label,
            "count": row.count,
            "medians": [span(row.spreads[m].median, lang) for m in MEASURES],
            "p90s": [span(row.spreads[m].p90, lang) for m in MEASURES],
        }
        for row in rows
    ]


def _hours(rows: Sequence[Row], index: int) -> list[float | None]:
    measure = MEASURES[index]
    return [
        None if (m := row.spreads[measure].median) is None else round(m / 3600, 2) for row in rows
    ]
