"""Each war room's task checklist, posted and pinned once and then edited in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from warroom.bot.domain.events import MessageRef, RoomRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import AdapterError
from warroom.bot.operations import checklist
from warroom.bot.operations.effects import SyncChecklists
from warroom.bot.operations.visibility import Visibility
from warroom.bot.runtime.outbox import Claimed, OutboxDispatcher
from warroom.storage.store import UnitOfWork


@dataclass(frozen=True)
class _Room:
    link_id: int
    room: RoomRef
    message: Message
    shown: str
    posted_id: str | None  # the checklist message there, once posted


async def sync_checklists(
    dispatcher: OutboxDispatcher, item: Claimed, effect: SyncChecklists
) -> None:
    """Bring every room's checklist in line with the incident's tasks, as the room's
    organisation may see them and in its language. A room not created yet is waited for."""
    incident_id = item.incident_id
    assert incident_id is not None
    config = dispatcher.config

    def read(uow: UnitOfWork) -> tuple[list[_Room], list[str]]:
        incident = uow.incidents.get(incident_id)
        assert incident is not None and incident.id is not None
        roles = uow.roles.current(incident.id)
        seen = Visibility.of(uow, config, incident)
        links = uow.rooms.for_incident(incident.id)
        # every task's marking is read, and in full only the ones some checklist shows
        marks = uow.tasks.marks(incident.id)
        shows = {org: checklist.window(seen, marks, org) for org in {k.org for k in links}}
        wanted = {n for window in shows.values() for n in window.numbers}
        tasks = uow.tasks.listed(incident.id, wanted if len(wanted) < len(marks) else None)
        rooms = []
        for link in links:
            assert link.id is not None
            lang = config.language(link.org)
            post = uow.checklists.get(link.id)
            message = checklist.room_checklist(
                seen, tasks, roles, link.org, lang, posted=post is not None, shows=shows[link.org]
            )
            if message is None:
                continue
            shown = checklist.fingerprint(message)
            if post is None or post.shown_hash != shown:
                rooms.append(
                    _Room(link.id, link.room, message, shown, post.message_id if post else None)
                )
        waiting = sorted(set(uow.incidents.orgs(incident.id)) - {link.org for link in links})
        return rooms, waiting

    rooms, waiting = await dispatcher.reader.transaction(read)
    for state in rooms:
        adapter = dispatcher.adapter(state.room.platform)
        message_id = state.posted_id
        if message_id is not None:
            await adapter.edit(MessageRef(state.room, message_id), state.message)
        else:
            ref = await adapter.post(state.room, state.message)
            message_id = ref.message_id
        save = partial(_save, state=state, message_id=message_id, at=dispatcher.clock.now())
        await dispatcher.store.transaction(save, light=True)  # one row
        if state.posted_id is None:
            await adapter.pin(state.room, MessageRef(state.room, message_id))
    if waiting:
        raise AdapterError(f"the war room of {', '.join(waiting)} is not linked yet")


def _save(uow: UnitOfWork, *, state: _Room, message_id: str, at: datetime) -> None:
    uow.checklists.save(state.link_id, message_id=message_id, shown_hash=state.shown, at=at)
