from __future__ import annotations

from tests.fakes.bot import TestBot


async def test_open_creates_a_war_room_with_the_opener_as_commander(bot: TestBot) -> None:
    room = await bot.open()
    sent = await bot.send("roles")
    assert "Commander  alice" in sent[-1].text
    assert bot.adapter.of_kind("pin"), "the summary card is pinned"
    assert room.room_id.endswith("inc-1-db-leak")
