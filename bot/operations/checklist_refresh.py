"""Checklists name who holds each task's role: a handover or a new organisation (a room
that needs its checklist) refreshes them, as a listener of the core."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.bot.domain.events import MessagePosted
from warroom.bot.domain.vocabulary import EntryKind, IncidentChanged
from warroom.bot.operations.effects import SyncChecklists, queue
from warroom.bot.operations.services import Services
from warroom.storage.store import UnitOfWork

REFRESHED_BY = frozenset({EntryKind.ROLE, EntryKind.ORG})


class ChecklistRefresh:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def after_changes(self, changes: Sequence[IncidentChanged]) -> None:
        touched = sorted(_stale(changes))
        if not touched:
            return
        now = self.services.clock.now()

        def work(uow: UnitOfWork) -> None:
            for incident_id in touched:
                if uow.tasks.count(incident_id):
                    queue(uow, SyncChecklists(), at=now, incident_id=incident_id)

        await self.services.store.transaction(work)

    async def after_message(self, event: MessagePosted, incident_id: int) -> None:
        return None


def _stale(changes: Sequence[IncidentChanged]) -> set[int]:
    """Incidents whose checklists a change may have left behind: a handover or a new
    organisation not followed by a task change, whose own refresh (queued with it, and
    delivered after it committed) shows it."""
    stale: set[int] = set()
    for change in changes:
        if change.kind in REFRESHED_BY:
            stale.add(change.incident_id)
        elif change.kind == EntryKind.TASK:
            stale.discard(change.incident_id)
    return stale
