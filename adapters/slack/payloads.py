"""The shape of a signed Slack request, checked before bolt or a listener reads it: what is
wrong with it, or None. Only what bolt's context extraction and our listeners read is
checked; anything else Slack adds is let through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Fields that must be text when present (bolt and our listeners call str methods on them).
TEXT = (
    "type",
    "team_id",
    "enterprise_id",
    "user_id",
    "user_name",
    "channel_id",
    "command",
    "text",
    "trigger_id",
    "response_url",
    "event_id",
    "challenge",
)
# Fields Slack sends either as an id or as an object with an `id`.
ID_OR_OBJECT = ("team", "enterprise", "user", "channel")
EVENT_TEXT = (
    "type",
    "subtype",
    "user",
    "team",
    "user_team",
    "channel",
    "text",
    "ts",
    "thread_ts",
    "deleted_ts",
    "reaction",
    "bot_id",
)


def problem(body: object) -> str | None:
    """What is wrong with a parsed request body, or None when our code can read it."""
    if not isinstance(body, dict):
        return "the body is not an object"
    found = _fields(body, TEXT, "") or _ids(body)
    if found:
        return found
    authorizations = body.get("authorizations")
    if authorizations is not None and not _list_of_objects(authorizations):
        return "authorizations is not a list of objects"
    if "command" in body:
        return _required(body, ("channel_id", "user_id"), "")
    kind = body.get("type")
    if kind == "event_callback":
        return _event(body.get("event"))
    if kind == "block_actions" and not _list_of_objects(body.get("actions")):
        return "actions is not a list of objects"
    if kind == "view_submission":
        return _view(body.get("view"))
    return None


def _event(event: object) -> str | None:
    if not isinstance(event, dict):
        return "event is not an object"
    found = _fields(event, EVENT_TEXT, "event.") or _required(event, ("type",), "event.")
    if found:
        return found
    for name in ("item", "message", "previous_message"):
        if name in event and not isinstance(event[name], dict | None):
            return f"event.{name} is not an object"
    kind, subtype = event["type"], event.get("subtype")
    if kind == "message" and subtype in (None, "message_changed", "message_deleted"):
        return _required(event, ("channel",) if subtype else ("channel", "ts"), "event.")
    if kind in ("reaction_added", "reaction_removed"):
        item = event.get("item")
        if not isinstance(item, dict):
            return "event.item is missing"
        found = _fields(item, ("type", "channel", "ts"), "event.item.")
        found = found or _required(event, ("reaction",), "event.")
        if found or item.get("type", "message") != "message":
            return found
        return _required(item, ("channel", "ts"), "event.item.")
    return None


def _view(view: object) -> str | None:
    if not isinstance(view, dict):
        return "view is not an object"
    found = _fields(view, ("id", "private_metadata", "callback_id", "team_id"), "view.")
    if found:
        return found
    state = view.get("state", {})
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return "view.state.values is not an object"
    for block in values.values():
        if not isinstance(block, dict) or not all(isinstance(e, dict) for e in block.values()):
            return "view.state.values is not an object of objects"
    return None


def _fields(data: Mapping[str, Any], names: tuple[str, ...], where: str) -> str | None:
    for name in names:
        if name in data and not isinstance(data[name], str | None):
            return f"{where}{name} is not text"
    return None


def _required(data: Mapping[str, Any], names: tuple[str, ...], where: str) -> str | None:
    for name in names:
        if not isinstance(data.get(name), str) or not data[name]:
            return f"{where}{name} is missing"
    return None


def _ids(body: Mapping[str, Any]) -> str | None:
    for name in ID_OR_OBJECT:
        value = body.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            return f"{name} is neither an id nor an object"
        found = _fields(value, ("id", "team_id", "enterprise_id", "username"), f"{name}.")
        if found:
            return found
    return None


def _list_of_objects(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)
