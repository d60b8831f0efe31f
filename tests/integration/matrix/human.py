"""A person on Matrix, played by a second matrix-nio client (with its own encryption keys)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    Event,
    InviteMemberEvent,
    MatrixRoom,
    RoomMessageNotice,
    RoomSendResponse,
)

from tests.integration.matrix.homeserver import Account

MEGOLM = "m.megolm.v1.aes-sha2"
WAIT_S = 60.0  # a guard against hanging, not a speed assertion


@dataclass(frozen=True)
class Seen:
    room_id: str
    event: Event


class Human:
    def __init__(self, url: str, account: Account, store_dir: Path) -> None:
        store_dir.mkdir(parents=True, exist_ok=True)
        self.account = account
        self.user_id = account.user_id
        self.client = AsyncClient(
            url,
            account.user_id,
            store_path=str(store_dir),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        self.seen: list[Seen] = []
        self.invites: list[str] = []
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        result = await self.client.login(self.account.password, device_name="human")
        assert getattr(result, "device_id", None), result
        self.client.add_event_callback(self._on_event, Event)
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        self._task = asyncio.create_task(self.client.sync_forever(timeout=30_000))
        await self.wait_for(lambda: self.client.next_batch is not None)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.close()

    async def _on_event(self, room: MatrixRoom, event: Event) -> None:
        async with self._changed:
            self.seen.append(Seen(room.room_id, event))
            self._changed.notify_all()

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.user_id and event.membership == "invite":
            async with self._changed:
                self.invites.append(room.room_id)
                self._changed.notify_all()

    async def wait_for(self, check: Callable[[], Any], timeout: float = WAIT_S) -> Any:
        """Wait until `check()` is truthy (re-checked after every event and sync)."""

        async def poll() -> Any:
            while not (found := check()):
                async with self._changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.2)
            return found

        return await asyncio.wait_for(poll(), timeout)

    # acting

    async def create_room(self, *, invite: list[str], encrypted: bool = True) -> str:
        state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}]
            if encrypted
            else []
        )
        result = await self.client.room_create(invite=invite, initial_state=state)
        room_id = str(result.room_id)
        await self.wait_for(lambda: room_id in self.client.rooms)
        return room_id

    async def know_devices_of(self, user_id: str) -> None:
        """Fetch someone's device keys now (as Element does for an invited member), so what
        this person says next is encrypted to them too."""
        assert self.client.olm is not None
        self.client.olm.users_for_key_query.add(user_id)
        await self.client.keys_query()

    async def join(self, room_id: str) -> None:
        await self.client.join(room_id)
        await self.wait_for(lambda: room_id in self.client.rooms)

    async def send(
        self, room_id: str, content: dict[str, Any], kind: str = "m.room.message"
    ) -> str:
        result = await self.client.room_send(
            room_id, kind, content, ignore_unverified_devices=True
        )
        assert isinstance(result, RoomSendResponse), result
        return str(result.event_id)

    async def say(self, room_id: str, text: str) -> str:
        return await self.send(room_id, {"msgtype": "m.text", "body": text})

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        relates = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        return await self.send(room_id, {"m.relates_to": relates}, "m.reaction")

    async def redact(self, room_id: str, event_id: str) -> None:
        await self.client.room_redact(room_id, event_id, reason="posted by mistake")

    # reading

    def notices(self, room_id: str, sender: str) -> list[RoomMessageNotice]:
        return [
            s.event
            for s in self.seen
            if s.room_id == room_id
            and isinstance(s.event, RoomMessageNotice)
            and s.event.sender == sender
        ]

    async def wait_notice(self, room_id: str, sender: str, text: str) -> RoomMessageNotice:
        def found() -> RoomMessageNotice | None:
            return next((n for n in self.notices(room_id, sender) if text in n.body), None)

        return await self.wait_for(found)

    async def state(self, room_id: str, event_type: str) -> dict[str, Any]:
        result = await self.client.room_get_state_event(room_id, event_type)
        return dict(getattr(result, "content", {}) or {})

    async def wait_state(
        self, room_id: str, event_type: str, check: Callable[[dict[str, Any]], Any]
    ) -> dict[str, Any]:
        """Read a state event from the server until `check(content)` holds."""

        async def poll() -> dict[str, Any]:
            while not check(content := await self.state(room_id, event_type)):
                await asyncio.sleep(0.1)
            return content

        return await asyncio.wait_for(poll(), WAIT_S)
