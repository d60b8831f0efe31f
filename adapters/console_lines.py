"""The console's numbered messages and the lines that act on them: `:reply N TEXT`,
`:edit N TEXT`, `:delete N` and `:react N EMOJI`.

Every message the console shows, typed or posted by the bot, gets a number N, one sequence
per session across rooms; the book maps N to the room and message id the core knows it by.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from warroom.bot.domain.events import Actor, MessageRef, RoomRef

CONSOLE_HELP = """console commands:
  /incident VERB ...   a command (also !incident, !inc); `/incident help` lists them
  :as USER[@ORG]       speak as someone else
  :room NAME           move to another room
  :rooms               list rooms
  :whoami              who and where you are
  :reply N TEXT        answer message [N] of this room, in its thread
  :edit N TEXT         change your message [N]
  :delete N            remove your message [N]
  :react N EMOJI       react to message [N] of this room; 📌 (or pushpin) pins it on the timeline
  :quit                leave (end of input does too)
  anything else        a message in the current room (captured on war-room timelines)"""

# verb -> (what it needs, its form)
FORMS = {
    "reply": ("a message number and the text", ":reply N TEXT"),
    "edit": ("a message number and the new text", ":edit N TEXT"),
    "delete": ("a message number", ":delete N"),
    "react": ("a message number and an emoji", ":react N EMOJI"),
}
OWN_ONLY = ("edit", "delete")  # only the person who typed a message changes it
HERE_ONLY = ("reply", "react")  # these act in the current room, on a message shown there


@dataclass(frozen=True)
class Play:
    """A line that plays a chat event on message number `number`."""

    verb: str
    number: int
    text: str = ""


@dataclass
class Shown:
    """A message the console showed: `author` is None for the bot's own."""

    number: int
    room: RoomRef
    message_id: str
    author: Actor | None
    deleted: bool = False

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.room, self.message_id)

    @property
    def label(self) -> str:
        return f"[{self.number}]"


class MessageBook:
    """The session's numbered messages; ids are unique across sessions on one database."""

    def __init__(self) -> None:
        self._session = uuid.uuid4().hex[:12]
        self._numbers = itertools.count(1)
        self._shown: dict[int, Shown] = {}
        self._by_id: dict[str, Shown] = {}

    def add(self, room: RoomRef, author: Actor | None) -> Shown:
        number = next(self._numbers)
        shown = Shown(number, room, f"console-{self._session}-{number}", author)
        self._shown[number] = shown
        self._by_id[shown.message_id] = shown
        return shown

    def get(self, number: int) -> Shown | None:
        return self._shown.get(number)

    def find(self, ref: MessageRef) -> Shown | None:
        shown = self._by_id.get(ref.message_id)
        return shown if shown is not None and shown.room == ref.room else None


def parse_play(verb: str, rest: str) -> Play | str:
    """`rest` of a `:reply`/`:edit`/`:delete`/`:react` line as a Play, or the one-line error."""
    needs, form = FORMS[verb]
    error = f":{verb} needs {needs}: {form}"
    number, _, text = rest.strip().partition(" ")
    number = number.strip("[]#")
    text = text.strip()
    if not (number.isascii() and number.isdecimal()):
        return error
    if verb == "delete":
        return Play(verb, int(number)) if not text else error
    if not text or (verb == "react" and len(text.split()) != 1):
        return error
    if verb == "react":
        text = text.strip(":") or text  # Slack's `:pushpin:` is the emoji `pushpin`
    return Play(verb, int(number), text)


def refusal(play: Play, shown: Shown | None, *, actor: Actor, room: RoomRef) -> str | None:
    """Why `play` may not act on the message it names, in one line; None when it may."""
    verb, label = play.verb, f"[{play.number}]"
    if shown is None:
        return f":{verb}: there is no message {label}"
    if shown.deleted:
        return f":{verb}: {label} was deleted"
    if verb in HERE_ONLY and shown.room != room:
        return (
            f":{verb}: {label} is in #{shown.room.room_id}, not here in #{room.room_id} "
            f"(`:room {shown.room.room_id}` first)"
        )
    if verb in OWN_ONLY and shown.author != actor:
        return (
            f":{verb}: {label} is {who(shown.author)}'s; you, {who(actor)}, may {verb} only yours"
        )
    return None


def who(actor: Actor | None) -> str:
    """`alice@acme` as the console names people; `warroom` for the bot."""
    return "warroom" if actor is None else f"{actor.user.user_id}@{actor.org}"
