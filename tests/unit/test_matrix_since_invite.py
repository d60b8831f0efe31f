"""What was said between the bot's invitation and its joining, paged back with /messages."""

from __future__ import annotations

from typing import Any, cast

from nio import AsyncClient, Event, MessageDirection, RoomMessagesResponse

from warroom.adapters.matrix.gaps import since_invite

BOT = "@warroom:cert.example"


def said(n: int) -> Event:
    return Event.parse_event(
        {
            "type": "m.room.message",
            "event_id": f"$said{n}",
            "sender": "@alice:cert.example",
            "origin_server_ts": n,
            "content": {"msgtype": "m.text", "body": f"message {n}"},
        }
    )


def invite() -> Event:
    return Event.parse_event(
        {
            "type": "m.room.member",
            "event_id": "$invite",
            "sender": "@alice:cert.example",
            "state_key": BOT,
            "origin_server_ts": 0,
            "content": {"membership": "invite"},
        }
    )


class PagedRoom:
    """Answers /messages backwards from the newest event, `page` events at a time."""

    def __init__(self, oldest_first: list[Event], page: int) -> None:
        self.user_id = BOT
        self.events = oldest_first
        self.page = page
        self.calls = 0

    async def room_messages(
        self, room_id: str, start: str, direction: MessageDirection, limit: int
    ) -> RoomMessagesResponse:
        assert direction == MessageDirection.back
        self.calls += 1
        newest = len(self.events) if start == "now" else int(start)
        oldest = max(0, newest - self.page)
        chunk: list[Any] = self.events[oldest:newest][::-1]
        return RoomMessagesResponse(room_id, chunk, start, str(oldest) if oldest else "")


async def test_what_follows_the_invitation_is_found_across_pages() -> None:
    room = PagedRoom([said(1), said(2), invite(), said(3), said(4), said(5)], page=2)
    found = await since_invite(cast(AsyncClient, room), "!abc", newest="now")
    assert [e.event_id for e in found] == ["$said3", "$said4", "$said5"]
    assert room.calls == 2, "paging stops at the invitation"


async def test_without_the_invitation_nothing_is_taken() -> None:
    room = PagedRoom([said(1), said(2), said(3)], page=2)
    assert await since_invite(cast(AsyncClient, room), "!abc", newest="now") == []
