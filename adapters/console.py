"""The console adapter: the core in a terminal, or driven by a script on stdin.

Lines starting with `/incident`, `!incident` or `!inc` are commands; `:as USER@ORG` and
`:room NAME` change who you are and where you speak; anything else is a message in the
current room.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import uuid
from collections.abc import Sequence
from typing import TextIO

from warroom.bot.domain.events import (
    Actor,
    CommandReceived,
    MessagePosted,
    MessageRef,
    RoomRef,
    UserRef,
    command_text,
)
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import PortDefaults, RoomSpec, Sink, parse_mention

WORKSPACE = "console"
LOBBY = "lobby"
CONSOLE_HELP = """console commands:
  /incident VERB ...   a command (also !incident, !inc); `/incident help` lists them
  :as USER[@ORG]       speak as someone else
  :room NAME           move to another room
  :rooms               list rooms
  :whoami              who and where you are
  :quit                leave (end of input does too)
  anything else        a message in the current room (captured on war-room timelines)"""


class ConsoleAdapter(PortDefaults):
    platform = "console"

    def __init__(
        self,
        *,
        user: str,
        org: str,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        interactive: bool | None = None,
    ) -> None:
        self.user = user
        self.org = org
        self.room = LOBBY
        self.rooms: dict[str, str] = {LOBBY: ""}
        self.archived: set[str] = set()
        self._in = stdin
        self._out = stdout
        self.interactive = stdin.isatty() if interactive is None else interactive
        self._sink: Sink | None = None
        self._ids = itertools.count(1)
        self._stopped = False

    # the port

    async def start(self, sink: Sink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        self._stopped = True

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        name = spec.name
        for n in itertools.count(2):
            if name not in self.rooms:
                break
            name = f"{spec.name}-{n}"
        self.rooms[name] = spec.topic
        self._print(f"* room #{name} created for {spec.org}: {spec.topic}")
        if any(u.user_id == self.user for u in spec.invitees):
            self.room = name
            self._print(f"* you are now in #{name}")
        return RoomRef(self.platform, WORKSPACE, name)

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None:
        names = ", ".join(u.name for u in users)
        self._print(f"* {names} invited to #{room.room_id}")

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        self._print(_indent(f"[#{room.room_id}] warroom: ", message.plain_text()))
        return MessageRef(room, f"m{next(self._ids)}")

    async def edit(self, ref: MessageRef, message: Message) -> None:
        self._print(f"[#{ref.room.room_id}] (card updated) {message.title}")

    async def delete(self, ref: MessageRef) -> None:
        self._print(f"[#{ref.room.room_id}] (message {ref.message_id} deleted)")

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        self._print(_indent(f"[#{room.room_id}] (only {user.name}) ", message.plain_text()))

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        self.rooms[room.room_id] = topic
        self._print(f"* #{room.room_id} topic: {topic}")

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        self._print(f"* #{room.room_id}: card pinned")

    async def archive(self, room: RoomRef) -> None:
        self.archived.add(room.room_id)
        self._print(f"* #{room.room_id} archived")

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        return parse_mention(self.platform, token, workspace=workspace)

    # the terminal

    @property
    def actor(self) -> Actor:
        return Actor(UserRef(self.platform, self.org, self.user, self.user), self.org)

    async def repl(self) -> None:
        """Read lines until end of input or `:quit`, handling each before the next."""
        loop = asyncio.get_running_loop()
        if self.interactive:
            import readline  # noqa: F401  (line editing and history at the prompt)
        while not self._stopped:
            if self.interactive:
                self._out.write(f"{self.user}@{self.org} #{self.room}> ")
                self._out.flush()
            line = await loop.run_in_executor(None, self._in.readline)
            if not line:
                break
            if not await self.feed(line):
                break

    async def feed(self, line: str) -> bool:
        """Handle one line; False when the user asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return self._console_command(line)
        assert self._sink is not None, "start() first"
        room = RoomRef(self.platform, WORKSPACE, self.room)
        event_id = f"console-{uuid.uuid4().hex}"
        text = command_text(line)
        if text is not None:
            await self._sink(CommandReceived(self.actor, room, text, event_id))
        else:
            await self._sink(MessagePosted(self.actor, room, line, event_id))
        return True

    def _console_command(self, line: str) -> bool:
        word, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if word in ("quit", "q", "exit"):
            return False
        if word == "as" and rest:
            user, _, org = rest.lstrip("@").partition("@")
            self.user, self.org = user, org or self.org
            self._print(f"* you are {self.user} of {self.org}")
        elif word == "room" and rest:
            self.room = rest.lstrip("#")
            self.rooms.setdefault(self.room, "")
            self._print(f"* you are in #{self.room}")
        elif word == "rooms":
            for name, topic in self.rooms.items():
                mark = " (archived)" if name in self.archived else ""
                self._print(f"  #{name}{mark}  {topic}")
        elif word == "whoami":
            self._print(f"* {self.user} of {self.org}, in #{self.room}")
        else:
            self._print(CONSOLE_HELP)
        return True

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()


def _indent(prefix: str, text: str) -> str:
    lines = text.splitlines() or [""]
    pad = " " * 4
    return prefix + lines[0] + "".join(f"\n{pad}{line}" for line in lines[1:])
