"""A fake Slack Web API and Socket Mode server on 127.0.0.1, for tests and the benchmark.

It answers the methods warroom uses with Slack's response shapes and error codes, records
every call (arguments parsed from the query string, a form or a JSON body), can be told to
fail, rate-limit (429 + Retry-After) or go down, and serves Socket Mode over a real WebSocket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack_socket import SocketModeServer

NAME_OK = re.compile(r"^[a-z0-9_-]{1,80}$")


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


class FakeSlack:
    """`base_url` is what `api_url` should be set to; `calls` is everything it was asked."""

    def __init__(self) -> None:
        self.teams: dict[str, Team] = {}
        self.app_token = "xapp-1-A0WARROOM-1-secret"
        self.channels: dict[str, Channel] = {}
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # what arrived at response_url
        self.views: list[dict[str, Any]] = []
        self.socket = SocketModeServer(self)
        self._failures: dict[str, list[tuple[str, int]]] = {}
        self._ratelimits: dict[str, list[int]] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0
        self.on_call: Callable[[Call], None] | None = None
        self.listeners: dict[str, list[asyncio.Future[Call]]] = {}
        self.down = False
        self._holds: dict[str, asyncio.Event] = {}

    # lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await self._site.start()
        if not self.port:
            server = self._site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def go_down(self) -> None:
        """Stop listening: calls now fail with connection refused, as in an outage."""
        self.down = True
        await self.socket.close()
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def come_back(self) -> None:
        self.down = False
        await self._listen()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/{uuid.uuid4().hex}"

    # set-up and failure injection

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

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        self._failures.setdefault(method, []).append((error, times))

    def rate_limit(self, method: str = "*", *, times: int = 1, retry_after: int = 0) -> None:
        self._ratelimits.setdefault(method, []).extend([retry_after] * times)

    def hold(self, method: str) -> asyncio.Event:
        """Calls to `method` wait until the returned event is set."""
        self._holds[method] = asyncio.Event()
        return self._holds[method]

    # queries

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def channels_named(self, name: str) -> list[Channel]:
        return [c for c in self.channels.values() if c.name == name]

    def channel_named(self, name: str) -> Channel:
        (channel,) = self.channels_named(name)
        return channel

    def expect(self, method: str) -> asyncio.Future[Call]:
        """A future for the next call to `method`, from now on."""
        future: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        self.listeners.setdefault(method, []).append(future)
        return future

    # the Web API

    async def _api(self, request: web.Request) -> web.StreamResponse:
        if self.down:  # a kept-alive connection from before the outage: drop it
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable()
        method = request.match_info["method"]
        args = await _arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        token = token or str(args.pop("token", ""))
        team = self.teams.get(token)
        call = Call(method, args, token, team.id if team else None)
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        for future in self.listeners.pop(method, []):
            if not future.done():
                future.set_result(call)
        held = self._holds.get(method)
        if held is not None:
            await held.wait()
        limited = self._ratelimits.get(method) or self._ratelimits.get("*")
        if limited:
            retry_after = limited.pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        failures = self._failures.get(method)
        if failures:
            error, times = failures[0]
            failures[0] = (error, times - 1)
            if times - 1 <= 0:
                failures.pop(0)
            return _error(error)
        if method == "apps.connections.open":
            if token != self.app_token:
                return _error("invalid_auth")
            return web.json_response({"ok": True, "url": self.socket.url()})
        if team is None:
            return _error("not_authed" if not token else "invalid_auth")
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return _error("unknown_method")
        result: dict[str, Any] = handler(team, args)
        return web.json_response(result if "ok" in result else {"ok": True, **result})

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
        channel.messages[ts] = message
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

    # response_url and Socket Mode

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append({"url_id": request.match_info["id"], **(await request.json())})
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await self.socket.attach(ws)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket.received(json.loads(msg.data))
        return ws


async def _arguments(request: web.Request) -> dict[str, Any]:
    """Slack's SDKs send arguments in the query string, a form, or a JSON body."""
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        else:
            args.update(dict(await request.post()))
    return args


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


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
