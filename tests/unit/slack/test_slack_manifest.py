"""The app manifest asks for what the adapter uses, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import warroom.adapters.slack as slack_package

ADAPTER = Path(slack_package.__file__).parent
MANIFEST = yaml.safe_load((ADAPTER / "manifest.yml").read_text())
# The scope each Web API method the adapter calls needs (private war rooms: groups:*).
SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "conversations_create": "groups:write",
    "conversations_invite": "groups:write",
    "conversations_setTopic": "groups:write",
    "conversations_rename": "groups:write",
    "conversations_archive": "groups:write",
    "conversations_join": "channels:join",
    "conversations_history": "groups:history",  # catching up, and a 📌's message
    "conversations_replies": "groups:history",
    "pins_add": "pins:write",
    "users_info": "users:read",
    "views_open": "commands",
    "auth_test": "",
}


def test_every_method_the_adapter_calls_has_its_scope() -> None:
    source = "".join(p.read_text() for p in ADAPTER.glob("*.py"))
    called = set(re.findall(r'"((?:chat|conversations|pins|users|views|auth)_\w+)"', source))
    assert called <= set(SCOPES), called - set(SCOPES)
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {SCOPES[m] for m in called} - {""} <= granted


def test_the_slash_command_events_and_socket_mode_are_declared() -> None:
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == "/incident" and command["should_escape"] is True
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"message.groups", "message.channels", "reaction_added"} <= events
    assert "reactions:read" in MANIFEST["oauth_config"]["scopes"]["bot"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
