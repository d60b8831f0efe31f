"""The per-incident counts beside the times (tasks done, ...): each one small function from
the incidents in scope to a count per incident, summed per severity and month. A new column
(follow-ups open, follow-ups overdue) is one more function and one more line in COUNTS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.language import N_
from warroom.bot.operations.tasks import said
from warroom.bot.operations.visibility import Visibility
from warroom.storage.stats import Scope
from warroom.storage.store import UnitOfWork

# Views: one Visibility per incident when the figures are one organisation's (scope.org):
# what the rule withholds from it is not counted. None: the operators' view, everything.
Views = Mapping[int, Visibility] | None
Count = Callable[[UnitOfWork, Scope, Views, datetime], Mapping[int, int]]


@dataclass(frozen=True)
class PerIncident:
    key: str  # the report's JSON key
    label: str  # marked with N_, said in the reader's language
    count: Count


def tasks_done(uow: UnitOfWork, scope: Scope, views: Views, now: datetime) -> Mapping[int, int]:
    if views is None or scope.org is None:
        return uow.stats.tasks_done(scope)
    found: dict[int, int] = {}
    for task in uow.stats.done_tasks(scope):
        seen = views.get(task.incident_id)
        if seen is not None and seen.may_see(said(task), scope.org, Where.VIEW):
            found[task.incident_id] = found.get(task.incident_id, 0) + 1
    return found


COUNTS: tuple[PerIncident, ...] = (PerIncident("tasks_done", N_("tasks done"), tasks_done),)
