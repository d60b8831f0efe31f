"""Response metrics, in seconds from opening."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.domain.language import Language
from warroom.storage.models import Incident


def _since(opened: datetime, at: datetime | None) -> float | None:
    return round((at - opened).total_seconds(), 3) if at else None


def metrics(incident: Incident) -> dict[str, float | None]:
    return {
        "time_to_acknowledge_s": _since(incident.opened_at, incident.acknowledged_at),
        "time_to_contain_s": _since(incident.opened_at, incident.contained_at),
        "time_to_resolve_s": _since(incident.opened_at, incident.resolved_at),
    }


def in_words(seconds: float | None, lang: Language) -> str:
    """`1 hour 2 minutes` / `1 Stunde 2 Minuten`, exact: where people read a metric."""
    return "-" if seconds is None else lang.exact_duration(seconds)


def duration(seconds: float | None) -> str:
    """`1h 02m 03s`: compact and the same in every language."""
    if seconds is None:
        return "-"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"
