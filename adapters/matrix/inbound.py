"""Matrix timeline events as neutral inbound events (no I/O, no decisions about incidents)."""

from __future__ import annotations

import re

from nio import (
    Event,
    MatrixRoom,
    ReactionEvent,
    RedactionEvent,
    RoomMessageEmote,
    RoomMessageMedia,
    RoomMessageText,
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
from warroom.bot.domain.port import OrgOf

PLATFORM = "matrix"
PILL = re.compile(r'<a href="https://matrix\.to/#/(@[^"?]+)[^"]*">([^<]*)</a>')


def server_of(user_id: str) -> str:
    """The server name of a user id (`@alice:cert.example` → `cert.example`). Room ids carry
    no server name on recent Synapse, so this is only ever applied to user ids."""
    return user_id.partition(":")[2]


def user_ref(user_id: str, display: str = "") -> UserRef:
    return UserRef(PLATFORM, server_of(user_id), user_id, display or user_id)


def invite_allowed(inviter: str, allowed_servers: tuple[str, ...]) -> bool:
    return server_of(inviter).lower() in {s.lower() for s in allowed_servers}


def with_user_ids(body: str, formatted: str | None) -> str:
    """Mention pills show a display name in `body`; put the user id back so `role deputy Bob`
    typed with a pill reaches the core as `role deputy @bob:server`."""
    if not formatted:
        return body
    for user_id, name in PILL.findall(formatted):
        if name and name in body:
            body = body.replace(name, user_id, 1)
    return body


def translate(event: Event, room: MatrixRoom, where: RoomRef, *, org_of: OrgOf) -> Inbound | None:
    """The neutral event for a timeline event, or None for what the core does not need."""
    sender = user_ref(event.sender, room.user_name(event.sender) or "")
    org = org_of(sender)
    if org is None:  # nobody of a configured organisation: not heard, as on Slack
        return None
    actor = Actor(sender, org)
    if isinstance(event, RoomMessageText | RoomMessageEmote):
        return _message(event, actor, where)
    if isinstance(event, RoomMessageMedia):
        return MessagePosted(actor, where, f"📎 {event.body}", event.event_id)
    if isinstance(event, ReactionEvent):
        target = MessageRef(where, event.reacts_to)
        emoji = event.key.replace("\ufe0f", "")
        return ReactionAdded(actor, where, target, emoji, event.event_id)
    if isinstance(event, RedactionEvent):
        return MessageDeleted(actor, where, MessageRef(where, event.redacts), event.event_id)
    return None


def _message(event: RoomMessageText | RoomMessageEmote, actor: Actor, where: RoomRef) -> Inbound:
    relates = event.source.get("content", {}).get("m.relates_to") or {}
    if relates.get("rel_type") == "m.replace" and relates.get("event_id"):
        new = event.source["content"].get("m.new_content") or {}
        edited = str(new.get("body", event.body))
        target = MessageRef(where, str(relates["event_id"]))
        return MessageEdited(actor, where, target, edited, event.event_id)
    reply_to = str((relates.get("m.in_reply_to") or {}).get("event_id", ""))
    body = strip_reply_fallback(with_user_ids(event.body, event.formatted_body))
    command = command_text(body) if isinstance(event, RoomMessageText) else None
    if command is not None:
        return CommandReceived(actor, where, command, event.event_id)
    if isinstance(event, RoomMessageEmote):
        body = f"* {actor.user.name} {body}"
    return MessagePosted(actor, where, body, event.event_id, reply_to=reply_to)


def strip_reply_fallback(body: str) -> str:
    """Replies quote their parent in `body` as `> ` lines first; the parent is already on the
    timeline, so keep only what was said."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    rest = lines[next((i for i, line in enumerate(lines) if not line.startswith(">")), 0) :]
    return "\n".join(rest).strip() or body
