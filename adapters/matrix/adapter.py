"""The Matrix adapter: the port's outbound actions on matrix-nio, and the sync loop's start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nio import AsyncClient, AsyncClientConfig, RoomPreset, RoomVisibility

from warroom.adapters.matrix import powers, render
from warroom.adapters.matrix.devices import DeviceAdmin
from warroom.adapters.matrix.errors import checked, ok, reached
from warroom.adapters.matrix.inbound import PLATFORM, server_of, user_ref
from warroom.adapters.matrix.state import BotMemory
from warroom.adapters.matrix.sync import AdminCommand, SyncLoop
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import (
    AdapterError,
    AdapterMemory,
    OrgOf,
    PortDefaults,
    RoomSpec,
    Sink,
)

log = logging.getLogger(__name__)
ROOM_WAIT_S = 30.0  # how long a send waits for the sync to show a room just created
ALIAS_TRIES = 5
MAX_LOGIN_BACKOFF_S = 30.0
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class MatrixSettings:
    homeserver: str
    user_id: str
    password: str = ""
    access_token: str = ""
    allowed_servers: tuple[str, ...] = ()
    store_dir: str = "warroom-matrix-store"
    encrypt_rooms: bool = True
    device_name: str = "warroom"
    sync_timeout_ms: int = 30_000
    max_rate_limited: int = 3  # 429s honoured (retry_after_ms) before the outbox takes over
    admins: tuple[str, ...] = ()  # who may list, verify and blacklist devices

    @property
    def server_name(self) -> str:
        return server_of(self.user_id)


def nio_config(settings: MatrixSettings) -> AsyncClientConfig:
    return AsyncClientConfig(
        max_limit_exceeded=settings.max_rate_limited,
        max_timeouts=2,
        request_timeout=REQUEST_TIMEOUT_S,  # the long-polling sync sets its own
        encryption_enabled=True,
        store_sync_tokens=False,  # warroom's database keeps the token
    )


class MatrixAdapter(PortDefaults):
    platform = PLATFORM
    private_rooms = True
    leader_only = True  # one device, one sync loop: only the leader process syncs
    acknowledges = True  # the sync token: it moves on only past events that are stored
    command_word = "!incident"

    def __init__(
        self,
        settings: MatrixSettings,
        *,
        org_of: OrgOf,
        language_of: Callable[[str], Language] = lambda _org: ENGLISH,
    ) -> None:
        self.settings = settings
        self.language_of = language_of  # an org's language: the device answers' to its admins
        self.workspace = settings.server_name
        self.org_of = org_of
        self.client = AsyncClient(
            settings.homeserver,
            settings.user_id,
            store_path=settings.store_dir,
            config=nio_config(settings),
        )
        self.memory: BotMemory | None = None
        self.sync: SyncLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def bind_memory(self, memory: AdapterMemory) -> None:
        self.memory = BotMemory(memory, self.settings.user_id)

    @property
    def device_id(self) -> str:
        return str(self.client.device_id or "")

    # lifecycle

    async def start(self, sink: Sink) -> None:
        if self.memory is None:
            raise AdapterError("the Matrix adapter needs its memory", retryable=False)
        try:
            await self._login(self.memory)
            logged_in = True
        except AdapterError as exc:
            if not exc.retryable:
                raise  # bad credentials: stop start-up and say so
            log.warning("Matrix login failed (%s); retrying in the background", exc)
            logged_in = False
        self.sync = SyncLoop(
            self.client,
            self.memory,
            self.workspace,
            self.settings.allowed_servers or (self.workspace,),
            self.org_of,
            timeout_ms=self.settings.sync_timeout_ms,
            admin=self._device_command,
        )
        self._tasks = [
            asyncio.create_task(self._sync_after_login(logged_in), name="matrix-sync"),
            asyncio.create_task(self.sync.deliver(sink), name="matrix-deliver"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.client.close()

    async def _sync_after_login(self, logged_in: bool) -> None:
        """Log in (with backoff while the homeserver is unreachable), then sync for good."""
        assert self.sync is not None and self.memory is not None
        delay = 1.0
        while not logged_in:
            await asyncio.sleep(delay)
            try:
                await self._login(self.memory)
                logged_in = True
            except AdapterError as exc:
                if not exc.retryable:
                    log.error("Matrix login failed for good: %s", exc)
                    return
                delay = min(MAX_LOGIN_BACKOFF_S, delay * 2)
        await self.sync.sync_forever()

    async def _login(self, memory: BotMemory) -> None:
        os.makedirs(self.settings.store_dir, exist_ok=True)
        stored = await memory.device_id()
        if self.settings.access_token:
            self.client.access_token = self.settings.access_token
            whoami = await checked(self.client.whoami(), "whoami")
            device = whoami.device_id or stored or ""
            self.client.restore_login(self.settings.user_id, device, self.settings.access_token)
        else:
            self.client.device_id = stored or ""
            result = await checked(
                self.client.login(self.settings.password, device_name=self.settings.device_name),
                "login",
            )
            device = result.device_id
        if device != stored:
            log.info("Matrix device %s (was %s)", device, stored or "none")
            await memory.save_device_id(device)

    async def _device_command(self, command: AdminCommand) -> None:
        org = self.org_of(user_ref(command.sender))
        lang = self.language_of(org) if org else ENGLISH
        answer = DeviceAdmin(self.client, self.settings.admins, lang=lang).answer(
            command.room_id, command.sender, command.body
        )
        room = RoomRef(PLATFORM, self.workspace, command.room_id)
        await self.notify(user_ref(command.sender), room, answer)

    # the port

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        invitees = [u.user_id for u in spec.invitees if u.platform == PLATFORM]
        name = spec.heading or spec.name
        alias = spec.name
        for attempt in range(1, ALIAS_TRIES + 1):
            result = await reached(
                self.client.room_create(
                    visibility=RoomVisibility.private,
                    alias=alias,
                    name=render.defuse(name),
                    topic=render.defuse(spec.topic),
                    preset=RoomPreset.private_chat,
                    invite=invitees,
                    initial_state=powers.initial_state(encrypt=self.settings.encrypt_rooms),
                    power_level_override=powers.creation_levels(),
                ),
                "create room",
            )
            if getattr(result, "status_code", None) == "M_ROOM_IN_USE":
                alias = f"{spec.name}-{attempt + 1}"  # that alias names another room
                continue
            created = ok(result, "create room")
            log.info("created %s (#%s:%s) for %s", created.room_id, alias, self.workspace, name)
            return RoomRef(PLATFORM, self.workspace, created.room_id)
        raise AdapterError(f"no free alias for {spec.name}", retryable=False)

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None:
        for user in users:
            if user.platform != PLATFORM:
                continue
            result = await reached(self.client.room_invite(room.room_id, user.user_id), "invite")
            message = str(getattr(result, "message", ""))
            if "already in the room" in message or "already joined" in message:
                continue
            ok(result, f"invite {user.user_id}")

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        return MessageRef(room, await self._send(room, render.notice(message)))

    async def edit(self, ref: MessageRef, message: Message) -> None:
        await self._send(ref.room, render.replacement(ref.message_id, message))

    async def delete(self, ref: MessageRef) -> None:
        """Redact one of the bot's own messages (a relayed copy whose original is gone)."""
        if self.sync is None:
            raise AdapterError("Matrix is served by the leader process", retryable=True)
        await checked(
            self.client.room_redact(ref.room.room_id, ref.message_id, reason="original removed"),
            "redact",
        )

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        """Matrix has no ephemeral messages: a notice in the room that mentions (and so
        notifies) only that person."""
        await self._send(room, render.private_notice(user.user_id, user.name, message))

    async def rename(self, room: RoomRef, spec: RoomSpec) -> None:
        await self._put_state(room, "m.room.name", {"name": render.defuse(spec.heading)})

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        await self._put_state(room, "m.room.topic", {"topic": render.defuse(topic)})

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        current = await self._get_state(room, "m.room.pinned_events")
        pinned = list(current.get("pinned", [])) if current else []
        if ref.message_id not in pinned:
            pinned.append(ref.message_id)
            await self._put_state(room, "m.room.pinned_events", {"pinned": pinned})

    async def archive(self, room: RoomRef) -> None:
        """Read-only from now on: only the bot (100) may post or change anything."""
        current = await self._get_state(room, "m.room.power_levels") or {}
        await self._put_state(room, "m.room.power_levels", powers.read_only(current))

    async def set_leads(self, room: RoomRef, leads: Sequence[UserRef]) -> None:
        """Power levels follow roles: commander and deputy 50, everyone else the default."""
        ids = [u.user_id for u in leads if u.platform == PLATFORM]
        current = await self._get_state(room, "m.room.power_levels") or {}
        wanted = powers.with_leads(current, self.settings.user_id, ids)
        if wanted != current:
            await self._put_state(room, "m.room.power_levels", wanted)
        known = self.client.rooms.get(room.room_id)
        missing = [u for u in leads if known is not None and u.user_id not in known.users]
        if missing:
            await self.invite(room, missing)

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        """`@alice:cert.example`, or `@alice` for someone on the caller's own server."""
        if not token.startswith("@") or len(token) < 2:
            return None
        user_id = token if ":" in token else f"{token}:{workspace}"
        return user_ref(user_id)

    # plumbing

    async def _send(self, room: RoomRef, content: dict[str, Any]) -> str:
        if self.sync is None:
            raise AdapterError("Matrix is served by the leader process", retryable=True)
        if not await self.sync.wait_for_room(room.room_id, ROOM_WAIT_S):
            raise AdapterError(f"room {room.room_id} is not synced yet", retryable=True)
        result = await checked(
            self.client.room_send(
                room.room_id, "m.room.message", content, ignore_unverified_devices=True
            ),
            "send",
        )
        return str(result.event_id)

    async def _get_state(self, room: RoomRef, event_type: str) -> dict[str, Any] | None:
        result = await reached(
            self.client.room_get_state_event(room.room_id, event_type), f"read {event_type}"
        )
        if getattr(result, "status_code", None) == "M_NOT_FOUND":
            return None
        found = ok(result, f"read {event_type}")
        return dict(found.content)

    async def _put_state(self, room: RoomRef, event_type: str, content: dict[str, Any]) -> None:
        await checked(
            self.client.room_put_state(room.room_id, event_type, content), f"set {event_type}"
        )
