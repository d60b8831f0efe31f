"""`warroom run` stopped while people talk in a war room: started again, it fetches what was
said from Slack's history and puts it on the timeline, in order, once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.test_slack_kill import Warroom, opened_room
from tests.fakes.slack_api import FakeSlack

ALICE, BOB = "U0ALICE", "U0BOB"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    slack.add_team("T0ACME", name="acme")
    await slack.start()
    slack.add_channel("T0ACME", "general", members=[ALICE, BOB], channel_id="C0GENERAL")
    yield slack
    await slack.stop()


def messages(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT text FROM timelineentry WHERE kind = 'message' ORDER BY seq"
        ).fetchall()
    return [str(text) for (text,) in rows]


async def test_what_was_said_while_warroom_run_was_stopped_is_on_the_timeline_once(
    fake: FakeSlack, tmp_path: Path
) -> None:
    warroom = Warroom(fake, tmp_path)
    async with aiohttp.ClientSession() as http:
        await warroom.start(http)
        room = await opened_room(warroom, http)
        await warroom.stop()

        (card,) = fake.channels[room].pins  # the summary card: a thread people answer in
        said = [
            fake.say(room, "while it was down", user=ALICE, team="T0ACME"),
            fake.say(room, "an answer to the card", user=BOB, team="T0ACME", thread_ts=card),
            fake.say(room, "and one more", user=ALICE, team="T0ACME"),
        ]
        await warroom.start(http)
        for _ in range(400):
            if len(messages(warroom.db)) >= len(said):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # anything doubled would be there by now
        stderr = await warroom.stop()
        assert messages(warroom.db) == [
            "while it was down",
            "an answer to the card",
            "and one more",
        ]
        assert "caught up on 3 messages" in stderr

        await warroom.start(http)  # and again: nothing new to catch up on
        await asyncio.sleep(1.0)
        stderr += await warroom.stop()
    assert len(messages(warroom.db)) == 3
    assert "Traceback" not in stderr
