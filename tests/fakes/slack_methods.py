"""The fake Slack's workspaces, channels and Web API methods, with Slack's answers and
error codes. The server around it is tests/fakes/slack_api.py."""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

NAME_OK = re.compile(r"^[a-z0-9_-]{1,80}$")
EVENT_ONLY = ("channel", "channel_type", "event_ts")  # in an event, not in the history


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str
    team: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Channel:
    id: str
    name: str
    team: str
    is_private: bool = True
    topic: str = ""
    archived: bool = False
    members: set[str] = field(default_factory=set)
    pins: list[str] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Team:
    id: str
    token: str
    bot_user: str
    bot_id: str
    name: str = ""


class SlackState:
    """Workspaces and channels, and the Web API methods that read and change them. Each
    `_m_<method>` answers like Slack: a result, or `{"ok": False, "error": code}`."""

    def __init__(self) -> None:
        self.teams: dict[str, Team] = {}  # by bot token
        self.channels: dict[str, Channel] = {}
        self.views: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)

    def next_ts(self) -> str:
        """A message ts as Slack makes them: seconds, then a part that orders within one."""
        return f"{int(time.time())}.{next(self._ts):06d}"

    def say(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        team: str = "",
        thread_ts: str = "",
        ts: str = "",
    ) -> str:
        """A person says something in `channel` (whether or not anyone hears of it): kept
        as Slack keeps it, so its history shows it. Returns its ts."""
        ts = ts or self.next_ts()
        message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
        if team:
            message["team"] = team
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.remember(self.channels[channel], message)
        return ts

    def remember(self, channel: Channel, message: dict[str, Any]) -> None:
        """Keep a message in its channel; a reply updates its thread's parent as Slack does
        (`reply_count`, `reply_users`, `latest_reply`)."""
        message = {k: v for k, v in message.items() if k not in EVENT_ONLY}
        channel.messages[str(message["ts"])] = message
        thread = str(message.get("thread_ts") or "")
        parent = channel.messages.get(thread)
        if not thread or thread == message["ts"] or parent is None:
            return
        message["parent_user_id"] = parent.get("user", "")
        users = [*parent.get("reply_users", []), message.get("user", "")]
        parent.update(
            thread_ts=thread,
            reply_count=int(parent.get("reply_count", 0)) + 1,
            reply_users=list(dict.fromkeys(users)),
            reply_users_count=len(set(users)),
            latest_reply=message["ts"],
        )

    def add_team(self, team_id: str, *, bot_user: str = "", name: str = "") -> Team:
        team = Team(team_id, f"xoxb-{team_id}-token", bot_user or f"UB{team_id}", f"B{team_id}")
        team.name = name or team_id
        self.teams[team.token] = team
        return team

    def add_channel(
        self,
        team: str,
        name: str,
        *,
        private: bool = False,
        members: Iterable[str] = (),
        channel_id: str = "",
    ) -> Channel:
        channel_id = channel_id or f"C{next(self._ids):06d}"
        channel = Channel(channel_id, name, team, private, members=set(members))
        self.channels[channel.id] = channel
        return channel

    def _channel(self, team: Team, args: dict[str, Any]) -> Channel | str:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None or channel.team != team.id:
            return "channel_not_found"
        if channel.archived:
            return "is_archived"
        return channel

    def _member_channel(self, team: Team, args: dict[str, Any]) -> Channel | str:
        channel = self._channel(team, args)
        if isinstance(channel, Channel) and team.bot_user not in channel.members:
            return "not_in_channel"
        return channel

    def _m_auth_test(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{team.name.lower()}.slack.com/",
            "team": team.name,
            "user": "warroom",
            "team_id": team.id,
            "user_id": team.bot_user,
            "bot_id": team.bot_id,
            "is_enterprise_install": False,
        }

    def _m_conversations_create(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name", ""))
        if len(name) > 80:
            return {"ok": False, "error": "invalid_name_maxlength"}
        if not NAME_OK.match(name):
            return {"ok": False, "error": "invalid_name_specials"}
        if any(c.name == name and c.team == team.id for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        private = str(args.get("is_private", "")).lower() in ("true", "1")
        channel = self.add_channel(team.id, name, private=private, members=[team.bot_user])
        return {"channel": _channel_json(channel, team)}

    def _m_conversations_invite(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "no_user"}
        if team.bot_user in users:
            return {"ok": False, "error": "cant_invite_self"}
        if all(u in channel.members for u in users):
            return {"ok": False, "error": "already_in_channel"}
        channel.members.update(users)
        return {"channel": _channel_json(channel, team)}

    def _m_conversations_join(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        if channel.is_private:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        channel.members.add(team.bot_user)
        return {"channel": _channel_json(channel, team)}

    def _m_conversations_setTopic(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        topic = str(args.get("topic", ""))
        if len(topic) > 250:
            return {"ok": False, "error": "too_long"}
        channel.topic = topic
        return {"channel": _channel_json(channel, team)}

    def _m_conversations_rename(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        name = str(args.get("name", ""))
        if not NAME_OK.match(name) or len(name) > 80:
            return {"ok": False, "error": "invalid_name_specials"}
        if any(c.name == name and c.team == team.id for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        channel.name = name
        return {"channel": _channel_json(channel, team)}

    def _m_conversations_archive(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None or channel.team != team.id:
            return {"ok": False, "error": "channel_not_found"}
        if channel.archived:
            return {"ok": False, "error": "already_archived"}
        if team.bot_user not in channel.members:
            return {"ok": False, "error": "not_in_channel"}
        channel.archived = True
        return {}

    def _m_chat_postMessage(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        to = str(args.get("channel", ""))
        if re.match(r"^[UW][A-Z0-9]+$", to) and to not in self.channels:  # a DM from the app
            self.add_channel(team.id, f"dm-{to}", private=True, channel_id=f"D{to}")
            self.channels[f"D{to}"].members.update({to, team.bot_user})
            args = {**args, "channel": f"D{to}"}
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message = {
            "type": "message",
            "user": team.bot_user,
            "bot_id": team.bot_id,
            "text": args.get("text", ""),
            "blocks": _blocks(args),
            "ts": ts,
        }
        if args.get("thread_ts"):
            if str(args["thread_ts"]) not in channel.messages:
                return {"ok": False, "error": "thread_not_found"}
            message["thread_ts"] = str(args["thread_ts"])
        if args.get("metadata"):  # kept and returned as Slack does (history, include_all_metadata)
            metadata = args["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.remember(channel, message)
        return {"channel": channel.id, "ts": ts, "message": message}

    def _m_chat_update(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        ts = str(args.get("ts", ""))
        if ts not in channel.messages:
            return {"ok": False, "error": "message_not_found"}
        channel.messages[ts].update(text=args.get("text", ""), blocks=_blocks(args))
        return {"channel": channel.id, "ts": ts, "text": args.get("text", "")}

    def _m_chat_delete(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        ts = str(args.get("ts", ""))
        if channel.messages.pop(ts, None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"channel": channel.id, "ts": ts}

    def _m_chat_postEphemeral(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        if str(args.get("user", "")) not in channel.members:
            return {"ok": False, "error": "user_not_in_channel"}
        return {"message_ts": f"{int(time.time())}.{next(self._ts):06d}"}

    def _m_pins_add(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._member_channel(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        ts = str(args.get("timestamp", ""))
        if ts not in channel.messages:
            return {"ok": False, "error": "message_not_found"}
        if ts in channel.pins:
            return {"ok": False, "error": "already_pinned"}
        channel.pins.append(ts)
        return {}

    def _readable(self, team: Team, args: dict[str, Any]) -> Channel | str:
        """A channel the bot may read: archived ones too."""
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None or channel.team != team.id:
            return "channel_not_found"
        if team.bot_user not in channel.members:
            return "not_in_channel"
        return channel

    def _m_conversations_history(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        """The channel's messages and thread broadcasts (not other replies), newest first."""
        channel = self._readable(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        shown = [
            m
            for m in channel.messages.values()
            if m.get("thread_ts", m["ts"]) == m["ts"] or m.get("subtype") == "thread_broadcast"
        ]
        window = _window(args)
        if isinstance(window, str):
            return {"ok": False, "error": window}
        found = sorted((m for m in shown if window(m["ts"])), key=_ts, reverse=True)
        return _page(found, args, default_limit=100, extra={"pin_count": len(channel.pins)})

    def _m_conversations_replies(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        """A thread, oldest first, its parent always first; a reply's ts gives that reply."""
        channel = self._readable(team, args)
        if isinstance(channel, str):
            return {"ok": False, "error": channel}
        ts = str(args.get("ts", ""))
        message = channel.messages.get(ts)
        window = _window(args)
        if message is None:
            return {"ok": False, "error": "thread_not_found"}
        if isinstance(window, str):
            return {"ok": False, "error": window}
        if message.get("thread_ts", ts) != ts:  # a reply
            return _page([message] if window(ts) else [], args, default_limit=1000)
        replies = sorted(
            (m for m in channel.messages.values() if m.get("thread_ts") == ts and m["ts"] != ts),
            key=_ts,
        )
        return _page([message, *(m for m in replies if window(m["ts"]))], args, default_limit=1000)

    def _m_views_open(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        opened = {"id": f"V{next(self._ids):06d}", "team_id": team.id, **(view or {})}
        self.views.append(opened)
        return {"view": opened}

    def _m_users_info(self, team: Team, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user", ""))
        if not user:
            return {"ok": False, "error": "user_not_found"}
        name = user.removeprefix("U0").lower()
        return {
            "user": {
                "id": user,
                "team_id": team.id,
                "name": name,
                "real_name": name.capitalize(),
                "profile": {"display_name": name, "real_name": name.capitalize()},
            }
        }


def _ts(message: dict[str, Any]) -> Decimal:
    return Decimal(str(message["ts"]))


def _window(args: dict[str, Any]) -> Callable[[str], bool] | str:
    """Which ts fall between `oldest` and `latest` (exclusive unless `inclusive`)."""
    try:
        oldest = Decimal(str(args.get("oldest") or 0))
    except InvalidOperation:
        return "invalid_ts_oldest"
    try:
        latest = Decimal(str(args["latest"])) if args.get("latest") else None
    except InvalidOperation:
        return "invalid_ts_latest"
    inclusive = str(args.get("inclusive", "")).lower() in ("true", "1")

    def within(ts: str) -> bool:
        value = Decimal(ts)
        if value < oldest or (latest is not None and value > latest):
            return False
        return inclusive or (value != oldest and value != latest)

    return within


def _page(
    messages: list[dict[str, Any]],
    args: dict[str, Any],
    *,
    default_limit: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One page of `messages` from the cursor on, with Slack's `has_more` and next cursor
    (`next_ts:<ts>` in base64, as Slack's own cursors read)."""
    start = 0
    cursor = str(args.get("cursor") or "")
    if cursor:
        try:
            after = base64.b64decode(cursor).decode().removeprefix("next_ts:")
            start = next(i for i, m in enumerate(messages) if m["ts"] == after)
        except (ValueError, StopIteration):
            return {"ok": False, "error": "invalid_cursor"}
    limit = max(1, min(int(args.get("limit") or default_limit), 999))
    shown = messages[start : start + limit]
    result: dict[str, Any] = {"messages": [dict(m) for m in shown], **(extra or {})}
    result["has_more"] = start + limit < len(messages)
    if result["has_more"]:
        following = f"next_ts:{messages[start + limit]['ts']}".encode()
        result["response_metadata"] = {"next_cursor": base64.b64encode(following).decode()}
    return result


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _channel_json(channel: Channel, team: Team) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": True,
        "is_private": channel.is_private,
        "is_archived": channel.archived,
        "created": int(time.time()),
        "creator": team.bot_user,
        "context_team_id": team.id,
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
    }
