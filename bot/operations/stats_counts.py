"""The per-incident counts beside the times (tasks done, ...): each one small function from
the incidents in scope to a count per incident, summed per severity and month. A new column
(follow-ups open, follow-ups overdue) is one more function and one more line in COUNTS."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Said, Sharing, Where, may_see
from warroom.bot.domain.language import N_
from warroom.bot.operations.visibility import parse_tlp
from warroom.storage.stats import Marked, OpenFollowup, Scope
from warroom.storage.store import UnitOfWork


@dataclass
class Reads:
    """What the counts read of one scope, each read once for all of them (the open and
    the overdue follow-ups come from one read): made anew for each set of figures."""

    uow: UnitOfWork
    scope: Scope
    _waiting: list[OpenFollowup] | None = None

    def open_followups(self) -> list[OpenFollowup]:
        if self._waiting is None:
            self._waiting = self.uow.stats.open_followups(self.scope)
        return self._waiting


# (reads, config, now) -> incident id -> count. When the figures are one organisation's
# (scope.org), what the rule withholds from it is not counted: its own items it always
# sees; the others' are asked of the rule one by one.
Count = Callable[[Reads, Config, datetime], Mapping[int, int]]


@dataclass(frozen=True)
class PerIncident:
    key: str  # the report's JSON key
    label: str  # marked with N_, said in the reader's language
    count: Count


def tasks_done(reads: Reads, config: Config, now: datetime) -> Mapping[int, int]:
    uow, scope = reads.uow, reads.scope
    if scope.org is None:
        return uow.stats.tasks_done(scope)
    found = uow.stats.tasks_done(scope, said_by=scope.org)
    others = uow.stats.done_tasks(scope, not_said_by=scope.org)
    sharing = _sharing(uow, config, {t.incident_id for t in others})
    for task in others:
        shared = sharing.get(task.incident_id)
        if shared is not None and may_see(_said(task), scope.org, Where.VIEW, shared):
            found[task.incident_id] = found.get(task.incident_id, 0) + 1
    return found


def _said(item: Marked | OpenFollowup) -> Said:
    """A task's or follow-up's text as the disclosure rule reads it."""
    return Said(item.text, parse_tlp(item.tlp), item.said_org)


def _sharing(uow: UnitOfWork, config: Config, ids: Collection[int]) -> dict[int, Sharing]:
    """What the rule needs of each incident to decide on a task or follow-up of it (which,
    unlike an entry, no edit re-marks): its organisations and the agreements."""
    return {i: Sharing(config.sharing, orgs) for i, orgs in uow.stats.orgs_of(ids).items()}


def _open_followups(
    reads: Reads, config: Config, now: datetime, *, overdue: bool
) -> Mapping[int, int]:
    uow, scope = reads.uow, reads.scope
    waiting = [
        f
        for f in reads.open_followups()
        if not overdue or (f.due_at is not None and f.due_at <= now)
    ]
    others = {f.incident_id for f in waiting if f.said_org != scope.org}
    sharing = _sharing(uow, config, others) if scope.org is not None else {}
    found: dict[int, int] = {}
    for item in waiting:
        if scope.org is not None and item.said_org != scope.org:
            shared = sharing.get(item.incident_id)
            if shared is None or not may_see(_said(item), scope.org, Where.VIEW, shared):
                continue
        found[item.incident_id] = found.get(item.incident_id, 0) + 1
    return found


def followups_open(reads: Reads, config: Config, now: datetime) -> Mapping[int, int]:
    return _open_followups(reads, config, now, overdue=False)


def followups_overdue(reads: Reads, config: Config, now: datetime) -> Mapping[int, int]:
    return _open_followups(reads, config, now, overdue=True)


COUNTS: tuple[PerIncident, ...] = (
    PerIncident("tasks_done", N_("tasks done"), tasks_done),
    PerIncident("followups_open", N_("follow-ups open"), followups_open),
    PerIncident("followups_overdue", N_("follow-ups overdue"), followups_overdue),
)
