"""What an operation asks to be done on a platform, as typed values.

An operation queues effects in the outbox within its own transaction; the runtime delivers
them (runtime/outbox.py, with the table of actions app.py builds). Each effect's fields are
its stored payload, so an item queued by one release is read by the next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import TypeAdapter

from warroom.bot.domain.events import RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.storage.models import Outbox
from warroom.storage.store import UnitOfWork

E = TypeVar("E")


@dataclass(frozen=True)
class Post:
    kind: ClassVar[str] = "post"
    room: RoomRef
    message: Message
    pin: bool = False


@dataclass(frozen=True)
class Notify:
    """A private answer that could not be given at once, kept until the platform is back."""

    kind: ClassVar[str] = "notify"
    room: RoomRef
    user: UserRef
    message: Message


@dataclass(frozen=True)
class Invite:
    kind: ClassVar[str] = "invite"
    room: RoomRef
    users: tuple[UserRef, ...]


@dataclass(frozen=True)
class Archive:
    kind: ClassVar[str] = "archive"
    room: RoomRef


@dataclass(frozen=True)
class Edit:
    kind: ClassVar[str] = "edit"
    room: RoomRef
    message_id: str
    message: Message


@dataclass(frozen=True)
class Delete:
    kind: ClassVar[str] = "delete"
    room: RoomRef
    message_id: str


@dataclass(frozen=True)
class RelayCopy:
    """A copy of `source_message_id` (said in `source`) for `org`'s room."""

    kind: ClassVar[str] = "relay"
    room: RoomRef
    message: Message
    org: str
    source: RoomRef
    source_message_id: str


@dataclass(frozen=True)
class CreateRoom:
    """The war room of `org` for the item's incident, on the item's platform."""

    kind: ClassVar[str] = "create_room"
    org: str
    workspace: str


@dataclass(frozen=True)
class SyncRooms:
    """Bring every room's topic and pinned card in line with the item's incident."""

    kind: ClassVar[str] = "sync_rooms"


@dataclass(frozen=True)
class SyncChecklists:
    """Post, pin or edit each room's task checklist to match the item's incident."""

    kind: ClassVar[str] = "sync_checklists"


@dataclass(frozen=True)
class SuggestSimilar:
    """Tell `user` privately of past incidents like the one they opened as `title`, as
    `org` may see them: looked for after the answer to `open`, not before it."""

    kind: ClassVar[str] = "suggest_similar"
    room: RoomRef
    user: UserRef
    org: str
    title: str


Effect = (
    Post
    | Notify
    | Invite
    | Archive
    | Edit
    | Delete
    | RelayCopy
    | CreateRoom
    | SyncRooms
    | SyncChecklists
    | SuggestSimilar
)
ANY_PLATFORM = "*"


_adapters: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _adapters.get(cls)
    if adapter is None:
        adapter = _adapters[cls] = TypeAdapter(cls)
    return adapter


def payload_of(effect: Effect) -> dict[str, Any]:
    data: dict[str, Any] = _adapter(type(effect)).dump_python(effect, mode="json")
    return data


def effect_from(cls: type[E], payload: dict[str, Any]) -> E:
    """The effect a stored payload holds; a pydantic ValidationError if it holds none."""
    effect: E = _adapter(cls).validate_python(payload)
    return effect


def queue(
    uow: UnitOfWork,
    effect: Effect,
    *,
    at: datetime,
    incident_id: int | None = None,
    platform: str | None = None,
) -> Outbox:
    """Queue `effect` in this unit of work; it is delivered once the transaction commits.
    `platform` defaults to the effect's room's."""
    if platform is None:
        match effect:
            case CreateRoom() | SyncRooms() | SyncChecklists():
                platform = ANY_PLATFORM
            case _:
                platform = effect.room.platform
    return uow.outbox.add(
        Outbox(
            incident_id=incident_id,
            platform=platform,
            action=effect.kind,
            payload=json.dumps(payload_of(effect), sort_keys=True),
            created_at=at,
            next_attempt_at=at,
        )
    )
