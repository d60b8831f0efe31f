"""Outbound actions that must reach a platform, kept in the database until they have.

State changes and the actions they imply are committed together; the dispatcher then
delivers them, retrying with backoff, so a platform outage or a crash loses nothing.
A claimed item is leased for a while, so replicas never deliver the same item at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from warroom.bot.domain.clock import Clock
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import AdapterError, ChatAdapter
from warroom.storage.models import Outbox
from warroom.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 25
MAX_BACKOFF_S = 300.0
LANES_AT_ONCE = 8  # rooms delivered to concurrently; each room's items stay in order
CLAIM_BATCH = 200


def enqueue(
    uow: UnitOfWork,
    action: str,
    *,
    platform: str,
    payload: dict[str, Any],
    at: datetime,
    incident_id: int | None = None,
) -> Outbox:
    return uow.outbox.add(
        Outbox(
            incident_id=incident_id,
            platform=platform,
            action=action,
            payload=json.dumps(payload, sort_keys=True),
            created_at=at,
            next_attempt_at=at,
        )
    )


def enqueue_post(
    uow: UnitOfWork,
    room: RoomRef,
    message: Message,
    *,
    at: datetime,
    incident_id: int | None = None,
    pin: bool = False,
) -> Outbox:
    payload = {"room": room_dict(room), "message": message.to_dict(), "pin": pin}
    return enqueue(
        uow, "post", platform=room.platform, payload=payload, at=at, incident_id=incident_id
    )


def enqueue_notify(
    uow: UnitOfWork, user: UserRef, room: RoomRef, message: Message, *, at: datetime
) -> Outbox:
    """A private answer that could not be given at once, kept until the platform is back."""
    payload = {"room": room_dict(room), "user": asdict(user), "message": message.to_dict()}
    return enqueue(uow, "notify", platform=room.platform, payload=payload, at=at)


def room_dict(room: RoomRef) -> dict[str, str]:
    return {"platform": room.platform, "workspace": room.workspace, "room_id": room.room_id}


def room_of(data: dict[str, str]) -> RoomRef:
    return RoomRef(data["platform"], data["workspace"], data["room_id"])


@dataclass(frozen=True)
class Claimed:
    id: int
    action: str
    platform: str
    payload: dict[str, Any]
    incident_id: int | None
    attempts: int


Handler = Callable[["OutboxDispatcher", Claimed], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def handles(action: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[action] = handler
        return handler

    return register


class OutboxDispatcher:
    def __init__(self, store: Store, clock: Clock, adapters: Mapping[str, ChatAdapter]) -> None:
        self.store = store
        self.clock = clock
        self.adapters = adapters
        self._lock = asyncio.Lock()
        self._lanes = asyncio.Semaphore(LANES_AT_ONCE)

    def adapter(self, platform: str) -> ChatAdapter:
        try:
            return self.adapters[platform]
        except KeyError:
            raise AdapterError(f"no {platform} adapter is running", retryable=True) from None

    async def drain_if_queued(self) -> int:
        """Drain only if a transaction queued something since the last drain."""
        if not self.store.hints.outbox:
            return 0
        self.store.hints.outbox = False
        return await self.drain()

    async def drain(self, rounds: int = 5) -> int:
        """Deliver what is due, including what delivering queues (a new room's card);
        returns how many items were delivered."""
        delivered = 0
        async with self._lock:
            for _ in range(rounds):
                items = await self.store.transaction(self._claim)
                if not items:
                    break
                delivered += await self._deliver_all(items)
        return delivered

    async def _deliver_all(self, items: list[Claimed]) -> int:
        """Deliver each room's items in order, several rooms at once."""
        lanes: dict[str, list[Claimed]] = {}
        for item in items:
            lanes.setdefault(_lane(item), []).append(item)
        counts = await asyncio.gather(*(self._deliver_lane(lane) for lane in lanes.values()))
        return sum(counts)

    async def _deliver_lane(self, items: list[Claimed]) -> int:
        async with self._lanes:
            for n, item in enumerate(items):
                if not await self._deliver(item):
                    # keep the room's order: what follows waits for the failed item
                    retry_at = self.clock.now() + timedelta(seconds=1)
                    for later in items[n + 1 :]:
                        await self.store.transaction(
                            partial(_release, item_id=later.id, retry_at=retry_at)
                        )
                    return n
            return len(items)

    async def run_forever(self, interval: float = 2.0) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed; trying again in %ss", interval)
            await asyncio.sleep(interval)

    def _claim(self, uow: UnitOfWork) -> list[Claimed]:
        now = self.clock.now()
        claimed = []
        for row in uow.outbox.due(now, limit=CLAIM_BATCH, for_update=True):
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            uow.session.add(row)
            assert row.id is not None
            claimed.append(
                Claimed(
                    row.id,
                    row.action,
                    row.platform,
                    json.loads(row.payload),
                    row.incident_id,
                    row.attempts,
                )
            )
        return claimed

    async def _deliver(self, item: Claimed) -> bool:
        handler = HANDLERS.get(item.action)
        try:
            if handler is None:
                raise AdapterError(f"unknown outbox action {item.action!r}", retryable=False)
            await handler(self, item)
        except Exception as exc:
            retryable = not isinstance(exc, AdapterError) or exc.retryable
            error = exc
            await self.store.transaction(lambda uow: self._failed(uow, item, error, retryable))
            return False
        await self.store.transaction(lambda uow: _done(uow, item.id, self.clock.now()))
        return True

    def _failed(self, uow: UnitOfWork, item: Claimed, exc: Exception, retryable: bool) -> None:
        row = uow.outbox.get(item.id)
        if row is None:
            return
        now = self.clock.now()
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if not retryable or item.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            log.error(
                "outbox item %s (%s) given up after %s attempts: %s",
                item.id,
                item.action,
                item.attempts,
                row.last_error,
            )
        else:
            delay = min(MAX_BACKOFF_S, 2.0**item.attempts) * random.uniform(0.8, 1.2)
            row.next_attempt_at = now + timedelta(seconds=delay)
            log.warning(
                "outbox item %s (%s) failed, retry in %.0fs: %s",
                item.id,
                item.action,
                delay,
                row.last_error,
            )
        uow.session.add(row)


def _lane(item: Claimed) -> str:
    room = item.payload.get("room")
    return json.dumps(room, sort_keys=True) if room else f"incident:{item.incident_id}"


def _done(uow: UnitOfWork, item_id: int, now: datetime) -> None:
    uow.outbox.mark_done(item_id, now)


def _release(uow: UnitOfWork, *, item_id: int, retry_at: datetime) -> None:
    row = uow.outbox.get(item_id)
    if row is not None:
        row.attempts -= 1
        row.next_attempt_at = retry_at
        uow.session.add(row)


@handles("post")
async def _post(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = room_of(item.payload["room"])
    adapter = dispatcher.adapter(room.platform)
    ref = await adapter.post(room, Message.from_dict(item.payload["message"]))
    if item.payload.get("pin"):
        await adapter.pin(room, ref)


@handles("notify")
async def _notify(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = room_of(item.payload["room"])
    user = UserRef(**item.payload["user"])
    await dispatcher.adapter(room.platform).notify(
        user, room, Message.from_dict(item.payload["message"])
    )


@handles("invite")
async def _invite(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = room_of(item.payload["room"])
    users = [UserRef(**u) for u in item.payload["users"]]
    await dispatcher.adapter(room.platform).invite(room, users)


@handles("archive")
async def _archive(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = room_of(item.payload["room"])
    await dispatcher.adapter(room.platform).archive(room)


@handles("edit")
async def _edit(dispatcher: OutboxDispatcher, item: Claimed) -> None:
    room = room_of(item.payload["room"])
    ref = MessageRef(room, item.payload["message_id"])
    await dispatcher.adapter(room.platform).edit(ref, Message.from_dict(item.payload["message"]))
