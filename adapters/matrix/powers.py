"""Room settings for war rooms: creation state and power levels that follow roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BOT_LEVEL = 100
LEAD_LEVEL = 50
MEGOLM = "m.megolm.v1.aes-sha2"


def initial_state(*, encrypt: bool) -> list[dict[str, Any]]:
    """No guests, the whole history visible to members, end-to-end encrypted unless off."""
    state: list[dict[str, Any]] = [
        {
            "type": "m.room.history_visibility",
            "state_key": "",
            "content": {"history_visibility": "shared"},
        },
        {"type": "m.room.guest_access", "state_key": "", "content": {"guest_access": "forbidden"}},
    ]
    if encrypt:
        state.append(
            {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
        )
    return state


def creation_levels() -> dict[str, Any]:
    """Power levels at creation; settings need the leads' 50. The `users` map is left to the
    server: it gives the creator (the bot) 100, or, from room version 12 on, makes the creator
    privileged above any level, where listing it is an error."""
    return {
        "users_default": 0,
        "events_default": 0,
        "state_default": LEAD_LEVEL,
        "invite": LEAD_LEVEL,
        "kick": LEAD_LEVEL,
        "ban": LEAD_LEVEL,
        "redact": LEAD_LEVEL,
        "notifications": {"room": LEAD_LEVEL},
        "events": {
            "m.room.power_levels": BOT_LEVEL,
            "m.room.encryption": BOT_LEVEL,
            "m.room.history_visibility": BOT_LEVEL,
            "m.room.tombstone": BOT_LEVEL,
            "m.room.server_acl": BOT_LEVEL,
        },
    }


def with_leads(current: dict[str, Any], bot: str, leads: Iterable[str]) -> dict[str, Any]:
    """`current` power levels with the users map rebuilt: the leads 50, the rest back to the
    default (a handover moves the level); the bot keeps its 100 where it is listed (before
    room version 12, which makes creators privileged and unlisted)."""
    levels = dict(current)
    users = {user: LEAD_LEVEL for user in leads if user != bot}
    if bot in current.get("users", {}):
        users[bot] = BOT_LEVEL
    levels["users"] = users
    return levels


def read_only(current: dict[str, Any]) -> dict[str, Any]:
    """Only the bot may speak or change anything: what `close` leaves behind."""
    levels = dict(current)
    for key in ("events_default", "state_default", "invite", "redact"):
        levels[key] = BOT_LEVEL
    levels["events"] = {**levels.get("events", {}), "m.reaction": BOT_LEVEL}
    return levels
