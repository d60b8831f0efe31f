"""Platform-neutral values that cross the adapter port."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserRef:
    """A person on one platform; `workspace` is the Slack team id or Matrix server name."""

    platform: str
    workspace: str
    user_id: str
    display: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        return self.display or self.user_id


@dataclass(frozen=True)
class RoomRef:
    platform: str
    workspace: str
    room_id: str


@dataclass(frozen=True)
class MessageRef:
    room: RoomRef
    message_id: str


@dataclass(frozen=True)
class Actor:
    """Who did something: the platform user and the organisation config maps them to."""

    user: UserRef
    org: str


@dataclass(frozen=True)
class CommandReceived:
    actor: Actor
    room: RoomRef
    text: str
    event_id: str


@dataclass(frozen=True)
class MessagePosted:
    """A person's message in a room. `message_id` is the platform's id for the message
    itself (a Slack `ts`, a Matrix event id), which edits, deletions and reactions refer to;
    it defaults to `event_id`. `reply_to` is the message id it answers, if any."""

    actor: Actor
    room: RoomRef
    text: str
    event_id: str
    message_id: str = ""
    reply_to: str = ""

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.room, self.message_id or self.event_id)


@dataclass(frozen=True)
class MessageEdited:
    actor: Actor
    room: RoomRef
    target: MessageRef
    text: str
    event_id: str


@dataclass(frozen=True)
class MessageDeleted:
    actor: Actor
    room: RoomRef
    target: MessageRef
    event_id: str


@dataclass(frozen=True)
class QuotedMessage:
    """A message as its platform holds it, with the person who said it: what a 📌 points
    at when warroom never captured it (said before the bot joined, or missed)."""

    author: Actor
    text: str


@dataclass(frozen=True)
class ReactionAdded:
    """A reaction on a message. For a 📌 the adapter may add the `quoted` message as the
    platform has it; the core uses it only when the message is not on the timeline."""

    actor: Actor
    room: RoomRef
    target: MessageRef
    emoji: str
    event_id: str
    quoted: QuotedMessage | None = None


Inbound = CommandReceived | MessagePosted | ReactionAdded | MessageEdited | MessageDeleted


COMMAND_WORDS = ("/incident", "!incident", "!inc")
# Reactions that mark a message as a highlight, as the platforms name them.
PIN_EMOJI = ("pushpin", "📌", "📍", "round_pushpin")


def command_text(line: str) -> str | None:
    """The text after a command word (`/incident`, `!incident`, `!inc`), or None if the line
    is not a command. Adapters use it so every platform shares one grammar."""
    stripped = line.strip()
    for word in COMMAND_WORDS:
        if stripped == word:
            return ""
        if stripped.startswith(word) and stripped[len(word)].isspace():
            return stripped[len(word) :].strip()
    return None
