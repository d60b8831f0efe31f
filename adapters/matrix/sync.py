"""The inbound side: a sync loop that survives errors and restarts, and a delivery task.

Events go through a queue to a single delivery task, in order, so a slow command never holds
up syncing (the command may itself wait for the sync to show a room it created). The sink
returns once an event is stored (warroom's inbox), and the delivery task retries an event
until it is: the sync token is saved only after every event before it is in the inbox, so
a crash replays at most that batch, and the inbox's unique key absorbs the replay.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiohttp import ClientError
from nio import (
    AsyncClient,
    EncryptionError,
    ErrorResponse,
    Event,
    InviteMemberEvent,
    MatrixRoom,
    MegolmEvent,
    RoomMemberEvent,
    RoomMessageText,
    SyncError,
    SyncResponse,
)
from nio.responses import RoomInfo

from warroom.adapters.matrix.devices import is_admin_command
from warroom.adapters.matrix.gaps import missed_events, own_invite_at, since_invite
from warroom.adapters.matrix.inbound import PLATFORM, invite_allowed, translate
from warroom.adapters.matrix.state import BotMemory
from warroom.bot.domain.events import Inbound, RoomRef
from warroom.bot.domain.port import OrgOf, Sink

log = logging.getLogger(__name__)
SYNC_FILTER = {"room": {"timeline": {"limit": 100}}, "presence": {"types": []}}
MAX_BACKOFF_S = 30.0
STORE_RETRY_S = 0.5  # first wait before handing on an event the inbox could not store
UNDECRYPTABLE_SYNCS = 20  # how many syncs an undecryptable event waits for its key


@dataclass(frozen=True)
class _Token:
    value: str


@dataclass(frozen=True)
class AdminCommand:
    """A `!warroom ...` device-trust command: the adapter's business, not the core's."""

    room_id: str
    sender: str
    body: str


@dataclass
class _Undecrypted:
    event: MegolmEvent
    room: RoomRef
    syncs_left: int = UNDECRYPTABLE_SYNCS


@dataclass
class SyncLoop:
    client: AsyncClient
    memory: BotMemory
    workspace: str
    allowed_servers: tuple[str, ...]
    org_of: OrgOf
    timeout_ms: int = 30_000
    admin: Callable[[AdminCommand], Awaitable[None]] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    synced: asyncio.Condition = field(default_factory=asyncio.Condition)
    queue: asyncio.Queue[Inbound | AdminCommand | _Token] = field(default_factory=asyncio.Queue)
    undecrypted: list[_Undecrypted] = field(default_factory=list)
    # Rooms whose invitation came before the bot ever listened (answered on its first sync):
    # what was said there before it joined is not for it.
    backlog: set[str] = field(default_factory=set)

    async def sync_forever(self) -> None:
        since = await self.memory.sync_token()
        fresh = since is None  # never synced: what happened before us is not for us
        delay = 0.0
        while True:
            try:
                response = await self.client.sync(
                    timeout=self.timeout_ms if self.ready.is_set() else 0,
                    sync_filter=SYNC_FILTER,
                    since=since,
                    full_state=True if since and not self.ready.is_set() else None,
                )
            except (ClientError, TimeoutError) as exc:
                delay = await self._back_off(delay, None, exc)
                continue
            if isinstance(response, SyncError):
                delay = await self._back_off(delay, response.retry_after_ms, response)
                continue
            delay = 0.0
            try:
                await self._handle(response, since=None if fresh else since)
            except Exception:
                log.exception("handling a sync response failed; syncing again")
                await asyncio.sleep(1.0)
                continue
            fresh = False
            since = response.next_batch
            await self.queue.put(_Token(since))
            await self._keep_keys()
            self.ready.set()
            async with self.synced:
                self.synced.notify_all()

    async def deliver(self, sink: Sink) -> None:
        """Hand events on one at a time, in order; save the token behind them."""
        while True:
            item = await self.queue.get()
            try:
                if isinstance(item, _Token):
                    await self.memory.save_sync_token(item.value)
                elif isinstance(item, AdminCommand):
                    if self.admin is not None:
                        await self.admin(item)
                else:
                    await self._hand_on(sink, item)
            except Exception:
                log.exception("delivering %s failed", type(item).__name__)

    async def _hand_on(self, sink: Sink, event: Inbound) -> None:
        """Until the sink has it: no token after it is saved before then."""
        delay = STORE_RETRY_S
        while True:
            try:
                await sink(event)
                return
            except Exception as exc:
                log.warning("%s not stored (%r); again in %.1fs", event.event_id, exc, delay)
            await asyncio.sleep(delay)
            delay = min(MAX_BACKOFF_S, delay * 2)

    async def wait_for_room(self, room_id: str, timeout_s: float) -> bool:
        """Wait until the sync has shown us `room_id` (needed before encrypting to it)."""
        if room_id in self.client.rooms:
            return True
        async with self.synced:
            try:
                await asyncio.wait_for(
                    self.synced.wait_for(lambda: room_id in self.client.rooms), timeout_s
                )
            except TimeoutError:
                return False
        return True

    async def _back_off(self, delay: float, retry_after_ms: int | None, why: object) -> float:
        if retry_after_ms:
            wait = retry_after_ms / 1000
        else:
            wait = min(MAX_BACKOFF_S, max(0.5, delay * 2)) * random.uniform(0.8, 1.2)
        log.warning("sync failed (%s); trying again in %.1fs", why, wait)
        await asyncio.sleep(wait)
        return wait

    async def _handle(self, response: SyncResponse, *, since: str | None) -> None:
        """Invitations, then each joined room's new events (none on the very first sync,
        `since` None: what happened before the bot ever listened is not for it)."""
        for room_id, info in response.rooms.invite.items():
            await self._on_invite(room_id, info.invite_state)
            if since is None:
                self.backlog.add(room_id)
        if since is None:
            return
        me = self.client.user_id
        for room_id, info in response.rooms.join.items():
            room = self.client.rooms.get(room_id)
            if room is None:
                continue
            where = RoomRef(PLATFORM, self.workspace, room_id)
            for event in await self._new_events(room_id, info, since):
                if event.sender == me:
                    continue
                if isinstance(event, MegolmEvent):
                    self.undecrypted.append(_Undecrypted(event, where))
                    await self._ask_for_key(event)
                    continue
                await self._put(event, room, where)
        await self._retry_undecrypted()

    async def _new_events(self, room_id: str, info: RoomInfo, since: str) -> list[Event]:
        """What the bot acts on in a joined room's timeline: what is new since the last sync,
        or, in the sync where the bot joined on an invitation, what was said since the
        invitation (a person may type a command before the bot has joined)."""
        events = list(info.timeline.events)
        joined = own_join_at(events, self.client.user_id)
        if joined is None:
            if info.timeline.limited and info.timeline.prev_batch:
                gap = await missed_events(
                    self.client, room_id, newest=info.timeline.prev_batch, oldest=since
                )
                events = gap + events
            return events
        after = events[joined + 1 :]
        join = events[joined]
        assert isinstance(join, RoomMemberEvent)
        if join.prev_membership != "invite" or room_id in self.backlog:
            self.backlog.discard(room_id)
            return after
        before = events[:joined]
        invited = own_invite_at(before, self.client.user_id)
        if invited is not None:
            meanwhile = before[invited + 1 :]
        elif info.timeline.prev_batch:
            meanwhile = await since_invite(self.client, room_id, newest=info.timeline.prev_batch)
            meanwhile += before
        else:
            meanwhile = []
        return _unique(meanwhile + after)

    async def _put(self, event: Event, room: MatrixRoom, where: RoomRef) -> None:
        if isinstance(event, RoomMessageText) and is_admin_command(event.body):
            await self.queue.put(AdminCommand(where.room_id, event.sender, event.body))
            return
        inbound = translate(event, room, where, org_of=self.org_of)
        if inbound is not None:
            await self.queue.put(inbound)

    async def _on_invite(self, room_id: str, state: Sequence[Event]) -> None:
        me = self.client.user_id
        invite = next(
            (
                e
                for e in state
                if isinstance(e, InviteMemberEvent)
                and e.state_key == me
                and e.membership == "invite"
            ),
            None,
        )
        if invite is None:
            return
        if invite_allowed(invite.sender, self.allowed_servers):
            log.info("joining %s on %s's invitation", room_id, invite.sender)
            result = await self.client.join(room_id)
        else:
            log.warning("declining %s: %s is not from an allowed server", room_id, invite.sender)
            result = await self.client.room_leave(room_id)
        if isinstance(result, ErrorResponse):
            log.warning("answering the invitation to %s failed: %s", room_id, result)

    async def _ask_for_key(self, event: MegolmEvent) -> None:
        try:
            await self.client.request_room_key(event)
        except Exception as exc:  # a key request already out, or no session yet
            log.debug("room key request for %s not sent: %s", event.event_id, exc)

    async def _retry_undecrypted(self) -> None:
        still: list[_Undecrypted] = []
        for item in self.undecrypted:
            try:
                event = self.client.decrypt_event(item.event)
            except EncryptionError:
                item.syncs_left -= 1
                if item.syncs_left > 0:
                    still.append(item)
                else:
                    log.warning("gave up decrypting %s", item.event.event_id)
                continue
            room = self.client.rooms.get(item.room.room_id)
            if room is not None:
                await self._put(event, room, item.room)
        self.undecrypted = still

    async def _keep_keys(self) -> None:
        """What nio's sync_forever does between syncs for end-to-end encryption."""
        client = self.client
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except Exception:
            log.warning("end-to-end key upkeep failed; trying after the next sync", exc_info=True)


def own_join_at(events: Sequence[Event], me: str) -> int | None:
    """The index of our own latest joining of the room among `events` (a join that is not
    a change of display name or avatar)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if (
            isinstance(event, RoomMemberEvent)
            and event.state_key == me
            and event.membership == "join"
            and event.prev_membership != "join"
        ):
            return index
    return None


def _unique(events: Sequence[Event]) -> list[Event]:
    seen: set[str] = set()
    unique = []
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            unique.append(event)
    return unique
