"""The Matrix sync token moves on only past events that are in the inbox."""

from __future__ import annotations

import asyncio

import pytest

from warroom.adapters.matrix import sync
from warroom.adapters.matrix.sync import SyncLoop, _Token
from warroom.bot.domain.events import Actor, CommandReceived, Inbound, RoomRef, UserRef
from warroom.bot.domain.port import NotStored

ROOM = RoomRef("matrix", "hs", "!r")
ALICE = Actor(UserRef("matrix", "hs", "@alice:hs"), "cert")


class Memory:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def save_sync_token(self, token: str) -> None:
        self.log.append(f"token {token}")


async def test_the_sync_token_waits_until_the_events_before_it_are_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync, "STORE_RETRY_S", 0.001)
    log: list[str] = []
    failures = 2

    async def sink(event: Inbound) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            log.append(f"not stored {event.event_id}")
            raise NotStored(event.event_id)
        log.append(f"stored {event.event_id}")

    loop = SyncLoop(None, Memory(log), "hs", ("hs",), lambda user: "cert")  # type: ignore[arg-type]
    for item in (
        CommandReceived(ALICE, ROOM, "note one", "$one"),
        CommandReceived(ALICE, ROOM, "note two", "$two"),
        _Token("t1"),
    ):
        loop.queue.put_nowait(item)
    task = asyncio.create_task(loop.deliver(sink))
    try:
        for _ in range(500):
            if "token t1" in log:
                break
            await asyncio.sleep(0.001)
    finally:
        task.cancel()
    assert log == ["not stored $one", "not stored $one", "stored $one", "stored $two", "token t1"]
