"""The console adapter: the core in a terminal, or driven by a script on stdin.

Lines starting with `/incident`, `!incident` or `!inc` are commands; `:as USER@ORG` and
`:room NAME` change who you are and where you speak; anything else is a message in the
current room. Every message shown gets a number N, and `:reply N TEXT`, `:edit N TEXT`,
`:delete N` and `:react N EMOJI` play the other chat events on it (console_lines.py).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import sys
import uuid
from collections.abc import Sequence
from typing import TextIO

from warroom.adapters.console_lines import (
    CONSOLE_HELP,
    FORMS,
    MessageBook,
    Play,
    Shown,
    parse_play,
    refusal,
    who,
)
from warroom.bot.domain.events import (
    Actor,
    CommandReceived,
    Inbound,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    MessageRef,
    ReactionAdded,
    RoomRef,
    UserRef,
    command_text,
)
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import PortDefaults, RoomSpec, Sink, parse_mention
from warroom.bot.domain.text import visible_text, well_formed

WORKSPACE = "console"
LOBBY = "lobby"
__all__ = ["CONSOLE_HELP", "ConsoleAdapter"]  # the help text moved to console_lines.py


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
        self.book = MessageBook()
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
        shown = self.book.add(room, None)
        text = message.plain_text()
        if message.attachment is not None:  # a file of these lines is enough to read it back
            text = f"{text}  {message.attachment.token()}"
        self._print(_indent(self._head(shown, message.reply_to), text))
        return shown.ref

    async def edit(self, ref: MessageRef, message: Message) -> None:
        # A card is shown by its title; anything else (a relayed copy) in full.
        self._print(
            _indent(f"* {self._label(ref)} edited: ", message.title or message.plain_text())
        )

    async def delete(self, ref: MessageRef) -> None:
        shown = self.book.find(ref)
        if shown is not None:
            shown.deleted = True
        self._print(f"* {self._label(ref)} deleted")

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        self._print(_indent(f"[#{room.room_id}] (only {user.name}) ", message.plain_text()))

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        self.rooms[room.room_id] = topic
        self._print(f"* #{room.room_id} topic: {topic}")

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        self._print(f"* {self._label(ref)} pinned in #{room.room_id}")

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
        if isinstance(self._in, io.TextIOWrapper):
            # bytes that are not UTF-8 arrive as lone surrogates, which the core refuses
            self._in.reconfigure(errors="surrogateescape")
        if self.interactive:
            import readline  # noqa: F401  (line editing and history at the prompt)
        while not self._stopped:
            if self.interactive:
                self._out.write(visible_text(f"{self.user}@{self.org} #{self.room}> "))
                self._out.flush()
            line = await loop.run_in_executor(None, self._in.readline)
            if not line:
                break
            if not await self.feed(line):
                break

    @property
    def here(self) -> RoomRef:
        return RoomRef(self.platform, WORKSPACE, self.room)

    async def feed(self, line: str) -> bool:
        """Handle one line; False when the user asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return await self._console_command(line)
        text = command_text(line)
        if text is not None:
            await self._send(CommandReceived(self.actor, self.here, text, _event_id()))
        else:
            await self._say(line)
        return True

    async def _say(self, text: str, reply_to: Shown | None = None) -> None:
        """A message typed in the current room: shown with its number, then sent."""
        shown = self.book.add(self.here, self.actor)
        replied = reply_to.message_id if reply_to else ""
        self._print(_indent(self._head(shown, replied), text))
        event = MessagePosted(
            self.actor, self.here, text, _event_id(), message_id=shown.message_id, reply_to=replied
        )
        await self._send(event)

    async def _play(self, play: Play) -> None:
        """`:reply`, `:edit`, `:delete` or `:react` on a numbered message."""
        shown = self.book.get(play.number)
        error = refusal(play, shown, actor=self.actor, room=self.here)
        if error is not None or shown is None:
            self._print(f"⚠ {error}")
            return
        actor, event_id = self.actor, _event_id()
        if play.verb == "reply":
            await self._say(play.text, reply_to=shown)
        elif play.verb == "edit":
            self._print(_indent(f"* {shown.label} edited: ", play.text))
            await self._send(MessageEdited(actor, shown.room, shown.ref, play.text, event_id))
        elif play.verb == "delete":
            shown.deleted = True
            self._print(f"* {shown.label} deleted")
            await self._send(MessageDeleted(actor, shown.room, shown.ref, event_id))
        else:
            self._print(f"* {shown.label} {who(actor)} reacted {play.text}")
            await self._send(ReactionAdded(actor, self.here, shown.ref, play.text, event_id))

    async def _send(self, event: Inbound) -> None:
        assert self._sink is not None, "start() first"
        await self._sink(event)

    async def _console_command(self, line: str) -> bool:
        word, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if word in ("quit", "q", "exit"):
            return False
        if word in FORMS:
            play = parse_play(word, rest)
            if isinstance(play, str):
                self._print(f"⚠ {play}")
            else:
                await self._play(play)
        elif word == "as" and rest:
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

    def _head(self, shown: Shown, reply_to: str) -> str:
        """`[12] #room alice@acme: `, with the message it answers: `... (reply to [9]): `."""
        head = f"{shown.label} #{shown.room.room_id} {who(shown.author)}"
        if reply_to:
            answered = self.book.find(MessageRef(shown.room, reply_to))
            head += f" (reply to {answered.label if answered else 'an earlier message'})"
        return head + ": "

    def _label(self, ref: MessageRef) -> str:
        """`[12]`, or the room and id of a message shown before this session."""
        shown = self.book.find(ref)
        return shown.label if shown else f"#{ref.room.room_id} message {ref.message_id}"

    def _print(self, text: str) -> None:
        """Every line the console shows: no escape sequence reaches the terminal."""
        self._out.write(visible_text(well_formed(text)) + "\n")
        self._out.flush()


def _event_id() -> str:
    return f"console-{uuid.uuid4().hex}"


def _indent(prefix: str, text: str) -> str:
    lines = text.splitlines() or [""]
    pad = " " * 4
    return prefix + lines[0] + "".join(f"\n{pad}{line}" for line in lines[1:])
