"""The port's `OpenRooms` from warroom's database: each war room of an incident that is not
closed, with the newest message captured from it, so an adapter can catch up from there."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.port import OpenRoom
from warroom.bot.domain.vocabulary import EntryKind, State
from warroom.storage.models import RoomLink, TimelineEntry
from warroom.storage.store import Store, UnitOfWork

RECENT = 200  # entries looked at before reading all of an incident's messages


class StoredOpenRooms:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def __call__(self, platform: str) -> Sequence[OpenRoom]:
        return await self.store.transaction(partial(open_rooms, platform=platform))


def open_rooms(uow: UnitOfWork, *, platform: str) -> list[OpenRoom]:
    found: list[OpenRoom] = []
    for incident in uow.incidents.all():
        if incident.state == State.CLOSED or incident.id is None:
            continue
        links = [r for r in uow.rooms.for_incident(incident.id) if r.platform == platform]
        for link in links:
            newest = _newest_message(uow, incident.id, link, links)
            found.append(OpenRoom(link.room, link.created_at, newest))
    return found


def _newest_message(
    uow: UnitOfWork, incident_id: int, link: RoomLink, links: Sequence[RoomLink]
) -> str:
    """The id of the newest message said in `link`'s room, known by where its sayer is (a
    Slack team, a Matrix server). Where two rooms of the incident share that, a message
    cannot be told apart: "" (catch up on all) rather than skip one room's messages."""
    if sum(1 for other in links if other.workspace == link.workspace) > 1:
        return ""

    def said_there(entry: TimelineEntry) -> bool:
        return (
            entry.kind == EntryKind.MESSAGE
            and bool(entry.source_event_id)
            and (entry.actor_platform, entry.actor_workspace) == _where(link.room)
        )

    recent = uow.timeline.entries(incident_id, last=RECENT)
    mine = [e for e in recent if said_there(e)]
    if not mine and len(recent) == RECENT:
        mine = [e for e in uow.timeline.of_kind(incident_id, EntryKind.MESSAGE) if said_there(e)]
    return mine[-1].source_event_id if mine else ""


def _where(room: RoomRef) -> tuple[str, str]:
    return room.platform, room.workspace
