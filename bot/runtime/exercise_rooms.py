"""Everything the bot puts into an exercise incident's rooms carries the exercise mark.

The one place it is added: each adapter is wrapped, so every post, edit, private answer,
topic and card (command answers, relay copies, reminders, checklists, injects, reports,
whatever comes later) is marked on its way out, in the room's organisation's language. Which
rooms are exercise war rooms is read from the store, once per room: a war room never
changes incident, nor an incident its exercise flag, and a room that is no war room (a
lobby, a digest room) never becomes one, since war rooms are made new for their incident
and linked before anything is said in them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from warroom.bot.config import Config
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.exercise_mark import marked, marked_text
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import (
    AdapterMemory,
    ChatAdapter,
    Health,
    Holds,
    HttpRoute,
    Installations,
    OpenRooms,
    PlaybookChoices,
    RoomSpec,
    Sink,
)
from warroom.storage.store import Store, UnitOfWork


class ExerciseRooms:
    """Which rooms are an exercise's war rooms, and in which language each is read."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self._known: dict[RoomRef, Language | None] = {}
        self._learnt = False  # the war rooms of open incidents and exercises are known
        self._learning = False

    async def reader(self, room: RoomRef) -> Language | None:
        """The language of an exercise war room; None for any other room."""
        if room in self._known:
            return self._known[room]
        # the first room asked about brings the war rooms of every open incident and every
        # exercise, in one read: a burst of reminders to a thousand rooms would otherwise
        # read them one by one. A room not among them then is no exercise's war room; one
        # asked about later may have been linked since, and is looked up.
        if not (self._learnt or self._learning):  # others asking meanwhile look it up
            self._learning = True
            try:
                await self._learn_live_rooms()
            finally:
                self._learning = False
            self._learnt = True
            return self._known.setdefault(room, None)  # read after it was asked about
        found = await self.store.transaction(lambda uow: uow.rooms.warroom_at(room), light=True)
        lang = None
        if found is not None and found[1]:
            lang = self.config.language(found[0])
        self._known[room] = lang
        return lang

    async def _learn_live_rooms(self) -> None:
        # light: read once per process, a row per war room of an open incident or an
        # exercise (the size of one lookup where a few are open; a few ms with thousands)
        rooms = await self.store.transaction(lambda uow: uow.rooms.live_warrooms(), light=True)
        for room, org, exercise in rooms:
            self._known.setdefault(room, self.config.language(org) if exercise else None)

    async def opening(self, spec: RoomSpec) -> Language | None:
        """The language of a war room about to be made for an exercise; None otherwise."""

        def exercise(uow: UnitOfWork) -> bool:
            incident = uow.incidents.by_key(spec.incident_key) if spec.incident_key else None
            return incident is not None and incident.exercise

        if await self.store.transaction(exercise, light=True):
            return self.config.language(spec.org)
        return None


class MarkedAdapter:
    """An adapter whose messages into exercise rooms carry the mark; the rest passes on."""

    def __init__(self, inner: ChatAdapter, rooms: ExerciseRooms) -> None:
        self.inner = inner
        self.rooms = rooms
        self.platform = inner.platform
        self.leader_only = inner.leader_only
        self.private_rooms = inner.private_rooms
        self.command_word = inner.command_word
        self.acknowledges = inner.acknowledges

    async def _message(self, room: RoomRef, message: Message) -> Message:
        lang = await self.rooms.reader(room)
        return message if lang is None else marked(message, lang)

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        return await self.inner.post(room, await self._message(room, message))

    async def edit(self, ref: MessageRef, message: Message) -> None:
        await self.inner.edit(ref, await self._message(ref.room, message))

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        await self.inner.notify(user, room, await self._message(room, message))

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        lang = await self.rooms.reader(room)
        await self.inner.set_topic(room, topic if lang is None else marked_text(topic, lang))

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        lang = await self.rooms.opening(spec)
        if lang is not None:
            spec = replace(spec, topic=marked_text(spec.topic, lang))
        return await self.inner.create_room(spec)

    # what carries no text of the bot's passes on as it is

    async def start(self, sink: Sink) -> None:
        await self.inner.start(sink)

    async def stop(self) -> None:
        await self.inner.stop()

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None:
        await self.inner.invite(room, users)

    async def delete(self, ref: MessageRef) -> None:
        await self.inner.delete(ref)

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        await self.inner.pin(room, ref)

    async def archive(self, room: RoomRef) -> None:
        await self.inner.archive(room)

    async def set_leads(self, room: RoomRef, leads: Sequence[UserRef]) -> None:
        await self.inner.set_leads(room, leads)

    async def rename(self, room: RoomRef, spec: RoomSpec) -> None:
        await self.inner.rename(room, spec)

    def bind_memory(self, memory: AdapterMemory) -> None:
        self.inner.bind_memory(memory)

    def bind_installations(self, installations: Installations) -> None:
        self.inner.bind_installations(installations)

    def bind_open_rooms(self, rooms: OpenRooms) -> None:
        self.inner.bind_open_rooms(rooms)

    def bind_holds(self, holds: Holds) -> None:
        self.inner.bind_holds(holds)

    def bind_playbooks(self, playbooks: PlaybookChoices) -> None:
        self.inner.bind_playbooks(playbooks)

    def http_routes(self) -> Sequence[HttpRoute]:
        return self.inner.http_routes()

    def health(self) -> Health:
        return self.inner.health()

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        return self.inner.parse_user(token, workspace=workspace)


def marking(
    adapters: Mapping[str, ChatAdapter], store: Store, config: Config
) -> dict[str, ChatAdapter]:
    """The adapters as the core and the outbox speak through them."""
    rooms = ExerciseRooms(store, config)
    return {platform: MarkedAdapter(adapter, rooms) for platform, adapter in adapters.items()}
