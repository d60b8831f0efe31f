"""The port every chat adapter implements (DESIGN.md, "The port every adapter implements")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from warroom.bot.domain.events import Inbound, MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message

Sink = Callable[[Inbound], Awaitable[None]]


@dataclass(frozen=True)
class RoomSpec:
    """A war room to create: `name` is a hint the adapter fits to its platform's rules."""

    name: str
    topic: str
    org: str
    workspace: str
    invitees: tuple[UserRef, ...] = ()
    incident_key: str = ""
    title: str = ""


class AdapterError(Exception):
    """A platform refused or failed an action; `retryable` says whether to try again later."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class ChatAdapter(Protocol):
    platform: str

    async def start(self, sink: Sink) -> None: ...
    async def stop(self) -> None: ...
    async def create_room(self, spec: RoomSpec) -> RoomRef: ...
    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None: ...
    async def post(self, room: RoomRef, message: Message) -> MessageRef: ...
    async def edit(self, ref: MessageRef, message: Message) -> None: ...
    async def delete(self, ref: MessageRef) -> None: ...
    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None: ...
    async def set_topic(self, room: RoomRef, topic: str) -> None: ...
    async def pin(self, room: RoomRef, ref: MessageRef) -> None: ...
    async def archive(self, room: RoomRef) -> None: ...

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        """Turn a mention as typed on this platform (`<@U1>`, `@bob:hs`, `@bob`) into a user."""
        ...
