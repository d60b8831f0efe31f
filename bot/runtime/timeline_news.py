"""In-process news of timeline entries: the core tells it (it is one of the core's
listeners) and the dashboard's live streams listen, without either importing the other.
Other processes' entries are found by the streams' cheap polling of the timeline head."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from warroom.bot.domain.dashboard import Unsubscribe
from warroom.bot.domain.events import MessagePosted
from warroom.bot.domain.vocabulary import IncidentChanged

log = logging.getLogger(__name__)


class TimelineNews:
    def __init__(self) -> None:
        self._listeners: list[Callable[[int], None]] = []

    def subscribe(self, listener: Callable[[int], None]) -> Unsubscribe:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def added(self, incident_id: int) -> None:
        for listener in list(self._listeners):
            try:
                listener(incident_id)
            except Exception:
                log.exception("a timeline listener failed on incident %s", incident_id)

    async def after_changes(self, changes: Sequence[IncidentChanged]) -> None:
        for incident_id in dict.fromkeys(c.incident_id for c in changes):
            self.added(incident_id)

    async def after_message(self, event: MessagePosted, incident_id: int) -> None:
        self.added(incident_id)
