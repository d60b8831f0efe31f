"""Filling a gap: when a sync's timeline was cut short (`limited`, e.g. after the bot was
away for a while), the events between the previous sync and the new timeline are fetched
with /messages, so nothing said meanwhile is lost. Likewise what was said between the bot's
invitation to a room and its joining, when the join's timeline does not reach back that far."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from nio import AsyncClient, Event, MessageDirection, RoomMemberEvent, RoomMessagesResponse

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


def own_invite_at(events: Sequence[Event], me: str) -> int | None:
    """The index of the latest invitation of `me` among `events`."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if (
            isinstance(event, RoomMemberEvent)
            and event.state_key == me
            and event.membership == "invite"
        ):
            return index
    return None


async def since_invite(client: AsyncClient, room_id: str, *, newest: str) -> list[Event]:
    """The room's events after the bot's latest invitation, up to `newest` (a timeline's
    prev_batch), oldest first; none if the invitation is not found (nothing is taken whose
    place before or after it is unknown)."""
    me = client.user_id
    found: list[Event] = []
    start = newest
    for _ in range(MAX_PAGES):
        page = await client.room_messages(
            room_id, start=start, direction=MessageDirection.back, limit=PAGE
        )
        if not isinstance(page, RoomMessagesResponse):
            log.warning(
                "could not fetch what was said in %s since the invitation: %s", room_id, page
            )
            return []
        newest_first = list(page.chunk)
        at = own_invite_at(newest_first[::-1], me)
        if at is not None:
            found.extend(newest_first[: len(newest_first) - 1 - at])
            found.reverse()
            return found
        found.extend(newest_first)
        if not page.chunk or not page.end or page.end == start:
            break
        start = page.end
    log.warning("no invitation found in %s; what was said before joining is skipped", room_id)
    return []
