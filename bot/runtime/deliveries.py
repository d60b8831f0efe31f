"""Delivering the simple effects: one adapter call each (rooms.py has the war rooms')."""

from __future__ import annotations

import json

from warroom.bot.domain.events import MessageRef
from warroom.bot.operations.effects import (
    Archive,
    Delete,
    Edit,
    Invite,
    Notify,
    Post,
    RelayCopy,
    effect_from,
    queue,
)
from warroom.bot.runtime.outbox import Claimed, OutboxDispatcher
from warroom.storage.models import RelayCopy as StoredCopy
from warroom.storage.store import UnitOfWork


async def post(dispatcher: OutboxDispatcher, item: Claimed, effect: Post) -> None:
    adapter = dispatcher.adapter(effect.room.platform)
    ref = await adapter.post(effect.room, effect.message)
    if effect.pin:
        await adapter.pin(effect.room, ref)


async def notify(dispatcher: OutboxDispatcher, item: Claimed, effect: Notify) -> None:
    adapter = dispatcher.adapter(effect.room.platform)
    await adapter.notify(effect.user, effect.room, effect.message)


async def invite(dispatcher: OutboxDispatcher, item: Claimed, effect: Invite) -> None:
    await dispatcher.adapter(effect.room.platform).invite(effect.room, effect.users)


async def archive(dispatcher: OutboxDispatcher, item: Claimed, effect: Archive) -> None:
    await dispatcher.adapter(effect.room.platform).archive(effect.room)


async def edit(dispatcher: OutboxDispatcher, item: Claimed, effect: Edit) -> None:
    ref = MessageRef(effect.room, effect.message_id)
    await dispatcher.adapter(effect.room.platform).edit(ref, effect.message)


async def delete(dispatcher: OutboxDispatcher, item: Claimed, effect: Delete) -> None:
    await dispatcher.adapter(effect.room.platform).delete(
        MessageRef(effect.room, effect.message_id)
    )


async def relay_copy(dispatcher: OutboxDispatcher, item: Claimed, effect: RelayCopy) -> None:
    """Post the copy and remember it, so edits and deletions of the original follow."""
    ref = await dispatcher.adapter(effect.room.platform).post(effect.room, effect.message)
    assert item.incident_id is not None
    copy = StoredCopy(
        incident_id=item.incident_id,
        source_platform=effect.source.platform,
        source_workspace=effect.source.workspace,
        source_room_id=effect.source.room_id,
        source_message_id=effect.source_message_id,
        platform=effect.room.platform,
        workspace=effect.room.workspace,
        room_id=effect.room.room_id,
        org=effect.org,
        message_id=ref.message_id,
        created_at=dispatcher.clock.now(),
    )

    def remember(uow: UnitOfWork) -> None:
        uow.relays.add(copy)
        # the original may have been edited or deleted while this copy was on its way
        row = uow.outbox.get(item.id)
        if row is None or row.last_error.startswith("withdrawn"):
            queue(
                uow,
                Delete(effect.room, ref.message_id),
                at=copy.created_at,
                incident_id=copy.incident_id,
            )
            return
        now = effect_from(RelayCopy, json.loads(row.payload))
        if now.message != effect.message:
            edit = Edit(effect.room, ref.message_id, now.message)
            queue(uow, edit, at=copy.created_at, incident_id=copy.incident_id)

    await dispatcher.store.transaction(remember)
