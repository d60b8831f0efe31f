"""Console orgs under `warroom run`: no terminal to print to, so what the bot says to them
is appended to a file as JSON lines (or logged). For drills, demos and end-to-end tests of
a headless process; nothing comes in this way."""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import PortDefaults, RoomSpec, Sink, parse_mention
from warroom.bot.domain.text import visible_text

log = logging.getLogger(__name__)
WORKSPACE = "console"


class SinkAdapter(PortDefaults):
    platform = "console"

    def __init__(self, path: str = "") -> None:
        self.path = path
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    async def start(self, sink: Sink) -> None:
        log.warning("console orgs: messages go to %s", self.path or "the log")

    async def stop(self) -> None:
        return

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        self._write("create_room", spec.name, {"topic": spec.topic, "org": spec.org})
        return RoomRef(self.platform, WORKSPACE, spec.name)

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None:
        self._write("invite", room.room_id, {"users": [u.user_id for u in users]})

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        message_id = f"s{os.getpid()}-{next(self._ids)}"
        self._write("post", room.room_id, _message(message) | {"message_id": message_id})
        return MessageRef(room, message_id)

    async def edit(self, ref: MessageRef, message: Message) -> None:
        self._write("edit", ref.room.room_id, _message(message) | {"message_id": ref.message_id})

    async def delete(self, ref: MessageRef) -> None:
        self._write("delete", ref.room.room_id, {"message_id": ref.message_id})

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        self._write("notify", room.room_id, _message(message) | {"user": user.user_id})

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        self._write("topic", room.room_id, {"topic": topic})

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        self._write("pin", room.room_id, {"message_id": ref.message_id})

    async def archive(self, room: RoomRef) -> None:
        self._write("archive", room.room_id, {})

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        return parse_mention(self.platform, token, workspace=workspace)

    def _write(self, action: str, room: str, data: dict[str, Any]) -> None:
        record = {"at": datetime.now(UTC).isoformat(), "pid": os.getpid(), "action": action}
        shown = {k: visible_text(v) if isinstance(v, str) else v for k, v in data.items()}
        line = json.dumps(record | {"room": room} | shown, ensure_ascii=False)
        # escaped, as line-based readers (Python's splitlines too) break lines at them
        line = line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        if not self.path:
            log.info("console: %s", line)
            return
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def _message(message: Message) -> dict[str, Any]:
    return {
        "title": message.title,
        "text": message.plain_text(),
        "mentions": [m.user_id for m in message.mentions],
    }
