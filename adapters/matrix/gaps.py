"""Filling a gap: when a sync's timeline was cut short (`limited`, e.g. after the bot was
away for a while), the events between the previous sync and the new timeline are fetched
with /messages, so nothing said meanwhile is lost."""

from __future__ import annotations

import logging

from nio import AsyncClient, Event, MessageDirection, RoomMessagesResponse

log = logging.getLogger(__name__)
PAGE = 100
MAX_PAGES = 50


async def missed_events(
    client: AsyncClient, room_id: str, *, newest: str, oldest: str
) -> list[Event]:
    """The room's events from `oldest` (the previous sync token) up to `newest` (the limited
    timeline's prev_batch), oldest first, decrypted where the keys are known."""
    found: list[Event] = []
    start = newest
    for _ in range(MAX_PAGES):
        page = await client.room_messages(
            room_id, start=start, end=oldest, direction=MessageDirection.back, limit=PAGE
        )
        if not isinstance(page, RoomMessagesResponse):
            log.warning("could not fetch the gap in %s: %s", room_id, page)
            break
        found.extend(page.chunk)
        if not page.chunk or not page.end or page.end == start:
            break
        start = page.end
    else:
        log.warning(
            "the gap in %s is longer than %s events; older ones skipped", room_id, len(found)
        )
    found.reverse()
    return found
