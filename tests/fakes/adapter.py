"""An in-memory chat adapter that records what the core asked of it, and can be made to fail."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import AdapterError, PortDefaults, RoomSpec, Sink


@dataclass
class Sent:
    kind: str
    room: RoomRef | None
    message: Message | None = None
    user: UserRef | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.message.plain_text() if self.message else ""


class FakeAdapter(PortDefaults):
    """Records every outbound call. `down = True` makes every call fail as an outage would."""

    def __init__(self, platform: str = "fake", workspace: str = "W1") -> None:
        self.platform = platform
        self.workspace = workspace
        self.sent: list[Sent] = []
        self.rooms: dict[str, RoomSpec] = {}
        self.down = False
        self.sink: Sink | None = None
        self._ids = itertools.count(1)

    def _check(self) -> None:
        if self.down:
            raise AdapterError("platform unreachable", retryable=True)

    async def start(self, sink: Sink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        self.sink = None

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        self._check()
        room_id = f"R{next(self._ids)}-{spec.name}"
        self.rooms[room_id] = spec
        room = RoomRef(self.platform, spec.workspace or self.workspace, room_id)
        self.sent.append(Sent("create_room", room, extra={"spec": spec}))
        return room

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None:
        self._check()
        self.sent.append(Sent("invite", room, extra={"users": list(users)}))

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        self._check()
        message_id = f"M{next(self._ids)}"
        self.sent.append(Sent("post", room, message, extra={"message_id": message_id}))
        return MessageRef(room, message_id)

    async def edit(self, ref: MessageRef, message: Message) -> None:
        self._check()
        self.sent.append(Sent("edit", ref.room, message, extra={"message_id": ref.message_id}))

    async def delete(self, ref: MessageRef) -> None:
        self._check()
        self.sent.append(Sent("delete", ref.room, extra={"message_id": ref.message_id}))

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        self._check()
        self.sent.append(Sent("notify", room, message, user))

    async def rename(self, room: RoomRef, spec: RoomSpec) -> None:
        self._check()
        self.sent.append(Sent("rename", room, extra={"spec": spec}))

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        self._check()
        self.sent.append(Sent("topic", room, extra={"topic": topic}))

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        self._check()
        self.sent.append(Sent("pin", room, extra={"message_id": ref.message_id}))

    async def archive(self, room: RoomRef) -> None:
        self._check()
        self.sent.append(Sent("archive", room))

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        if not token.startswith("@") or len(token) < 2:
            return None
        name, _, where = token[1:].partition("@")
        return UserRef(self.platform, where or workspace, name, name)

    def of_kind(self, kind: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == kind]

    def clear(self) -> None:
        self.sent.clear()
