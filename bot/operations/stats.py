"""The indicators across incidents (`stats`, `warroom report`): per severity the count,
median and p90 times to acknowledge, contain and resolve, the share within `[goals]`, the
per-incident counts and a month-by-month trend; each organisation's clock; exercises apart.
An organisation's figures hold the incidents it took part in, and only what it may see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from warroom.bot.config import Config
from warroom.bot.domain.figures import Samples, Section, section
from warroom.bot.domain.goals import Measure
from warroom.bot.operations.org_clocks import BOT_PLATFORM, answers
from warroom.bot.operations.org_view import views_of
from warroom.bot.operations.stats_counts import COUNTS, Reads
from warroom.storage.models import TimelineEntry
from warroom.storage.stats import Scope
from warroom.storage.store import UnitOfWork

DEFAULT_SINCE = timedelta(days=90)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # a period reaching further back starts here


@dataclass(frozen=True)
class Indicators:
    since: datetime
    until: datetime
    view: str | None  # the organisation whose figures these are; None: every incident
    severity: int | None
    real: Section
    exercises: Section  # never in the real figures


def indicators(
    uow: UnitOfWork,
    config: Config,
    *,
    now: datetime,
    since: timedelta = DEFAULT_SINCE,
    as_org: str | None = None,
    severity: int | None = None,
) -> Indicators:
    start = EARLIEST if since >= now - EARLIEST else now - since
    scope = Scope(since=start, severity=severity, org=as_org)
    real, exercises = uow.stats.samples(scope, now)
    reads = Reads(uow, scope)
    counts = [c.count(reads, config, now) for c in COUNTS]
    clocks = _clocks(uow, config, scope)

    def target(sev: int, measure: Measure) -> timedelta | None:
        return config.goals.target(sev, measure, as_org)

    def part(samples: Samples) -> Section:
        ids = set(samples.ids)
        timed = [(org, seconds) for (i, org), seconds in clocks.items() if i in ids]
        return section(samples, target, counts=counts, clocks=timed)

    return Indicators(
        since=scope.since,
        until=now,
        view=as_org,
        severity=severity,
        real=part(real),
        exercises=part(exercises),
    )


def _clocks(uow: UnitOfWork, config: Config, scope: Scope) -> dict[tuple[int, str], float | None]:
    """(incident id, org) -> seconds to that org's first act, as the scope's org may see it:
    its own acts it always sees; another's are asked about, entry by entry."""
    found = {
        (a.incident_id, a.org): a.seconds
        for a in uow.stats.first_acts(scope, bot_platform=BOT_PLATFORM)
    }
    reader = scope.org
    if reader is None:
        return found
    for key in found:
        if key[1] != reader:
            found[key] = None  # unless an act it may see says otherwise, below
    acts = _by_incident(uow.stats.acts(scope, bot_platform=BOT_PLATFORM, reader=reader))
    views = views_of(uow, config, acts, acts)
    joined = uow.stats.joined(acts)
    for incident_id, seen in views.items():
        for answer in answers(seen, acts[incident_id], joined[incident_id], reader):
            if answer.org != reader:
                found[(incident_id, answer.org)] = answer.seconds
    return found


def _by_incident(entries: Sequence[TimelineEntry]) -> Mapping[int, list[TimelineEntry]]:
    found: dict[int, list[TimelineEntry]] = {}
    for entry in entries:
        found.setdefault(entry.incident_id, []).append(entry)
    return found
