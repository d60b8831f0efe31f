"""A fake Slack Web API and Socket Mode server on 127.0.0.1, for tests and the benchmark.

It answers the methods warroom uses with Slack's response shapes and error codes, records
every call (arguments parsed from the query string, a form or a JSON body), can be told to
fail, rate-limit (429 + Retry-After) or go down, and serves Socket Mode over a real WebSocket.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.slack_methods import Call, Channel, SlackState, Team
from tests.fakes.slack_oauth import FakeSlackOAuth
from tests.fakes.slack_socket import SocketModeServer

__all__ = ["Call", "Channel", "FakeSlack", "Team"]


class FakeSlack(SlackState):
    """`base_url` is what `api_url` should be set to; `calls` is everything it was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.app_token = "xapp-1-A0WARROOM-1-secret"
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # what arrived at response_url
        self.socket = SocketModeServer(self)
        self.oauth = FakeSlackOAuth(self)
        self._failures: dict[str, list[tuple[str, int]]] = {}
        self._ratelimits: dict[str, list[int]] = {}
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
        self.oauth.add_routes(app.router)
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

    # response_url and Socket Mode

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append({"url_id": request.match_info["id"], **(await request.json())})
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        if self.socket.refusing:
            raise web.HTTPServiceUnavailable()
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


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})
