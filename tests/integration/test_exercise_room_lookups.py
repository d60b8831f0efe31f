"""Which rooms are an exercise's war rooms is read once for every open incident, not once
per room (a burst of reminders posts to a thousand rooms); a room linked after that read is
still looked up, so nothing said into a new exercise room goes out unmarked. SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_exercise_marks import OPEN, config, war_rooms
from tests.integration.test_reminders import started
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.language import Language, language
from warroom.bot.runtime.exercise_rooms import ExerciseRooms
from warroom.storage.repos import RoomRepo


async def test_open_war_rooms_are_learnt_at_once_and_a_later_one_is_looked_up(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bot = await started(store_url, monkeypatch, config(tmp_path))
    try:
        await bot.send(OPEN["exercise"])  # INC-1
        await bot.send(OPEN["real"])  # INC-2
        await bot.app.core.settled()
        drill, real = war_rooms(bot, "INC-1"), war_rooms(bot, "INC-2")
        asked: list[RoomRef] = []  # what this reader looked up room by room
        looked_up = RoomRepo.warroom_at
        mine = [False]

        def counted(repo: RoomRepo, room: RoomRef) -> tuple[str, bool] | None:
            if mine[0]:
                asked.append(room)
            return looked_up(repo, room)

        monkeypatch.setattr(RoomRepo, "warroom_at", counted)
        learnt = ExerciseRooms(bot.app.store, bot.config)

        class Reader:  # the reader, its own lookups counted (the app's are not)
            async def reader(self, room: RoomRef) -> Language | None:
                mine[0] = True
                try:
                    return await learnt.reader(room)
                finally:
                    mine[0] = False

        rooms = Reader()
        assert await rooms.reader(drill["acme"]) == language("en")
        assert await rooms.reader(drill["cert"]) == language("de")
        assert await rooms.reader(real["acme"]) is None
        assert await rooms.reader(real["cert"]) is None
        assert asked == []  # all four from the one read of the open incidents' rooms
        lobby = RoomRef("console", "W1", "lobby")
        assert await rooms.reader(lobby) is None
        assert asked == [lobby]  # no war room: asked once, then known
        assert await rooms.reader(lobby) is None and asked == [lobby]

        await bot.send("exercise end", room=drill["acme"])
        await bot.send(OPEN["exercise"])  # INC-3, its rooms linked after the read
        await bot.app.core.settled()
        later = war_rooms(bot, "INC-3")
        assert await rooms.reader(later["cert"]) == language("de")
        assert asked == [lobby, later["cert"]]
    finally:
        await bot.close()
