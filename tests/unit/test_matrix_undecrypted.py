"""Events the bot could not decrypt yet are retried as keys arrive, then given up on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from nio import EncryptionError, Event, MatrixRoom

from warroom.adapters.matrix.sync import SyncLoop, _Undecrypted
from warroom.bot.domain.events import CommandReceived, RoomRef

ROOM = RoomRef("matrix", "hs", "!r")


class KeylessClient:
    """Decrypts nothing until it is given the key."""

    user_id = "@warroom:hs"

    def __init__(self) -> None:
        self.has_key = False
        self.rooms = {"!r": MatrixRoom("!r", self.user_id)}

    def decrypt_event(self, event: Any) -> Event:
        if not self.has_key:
            raise EncryptionError("no session")
        source = {
            "type": "m.room.message",
            "event_id": "$cmd",
            "sender": "@alice:hs",
            "origin_server_ts": 1,
            "content": {"msgtype": "m.text", "body": "!inc note late key"},
        }
        return Event.parse_event(source)


def loop(client: KeylessClient) -> SyncLoop:
    return SyncLoop(client, None, "hs", ("hs",), lambda user: "cert")  # type: ignore[arg-type]


async def test_an_event_is_handled_once_its_key_arrives() -> None:
    client = KeylessClient()
    sync = loop(client)
    sync.undecrypted.append(_Undecrypted(SimpleNamespace(event_id="$enc"), ROOM))  # type: ignore[arg-type]
    await sync._retry_undecrypted()
    assert sync.queue.empty() and len(sync.undecrypted) == 1
    client.has_key = True
    await sync._retry_undecrypted()
    got = sync.queue.get_nowait()
    assert isinstance(got, CommandReceived) and got.text == "note late key"
    assert not sync.undecrypted


async def test_an_event_whose_key_never_comes_is_given_up() -> None:
    sync = loop(KeylessClient())
    sync.undecrypted.append(_Undecrypted(SimpleNamespace(event_id="$enc"), ROOM, syncs_left=2))  # type: ignore[arg-type]
    await sync._retry_undecrypted()
    await sync._retry_undecrypted()
    assert not sync.undecrypted and sync.queue.empty()
