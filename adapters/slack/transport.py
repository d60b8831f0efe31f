"""How Slack's requests reach the bolt app: Socket Mode, or HTTP at `/slack/events`.

Either way an HTTP server answers `/healthz`; in HTTP mode it also takes Slack's signed
requests (bolt checks the signature and its age, and answers 401 to a bad one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from warroom.adapters.slack.api import SlackApi

if TYPE_CHECKING:
    from warroom.adapters.slack.adapter import SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class Transport:
    def __init__(self, bolt: AsyncApp, settings: SlackSettings, api: SlackApi) -> None:
        self.bolt = bolt
        self.settings = settings
        self.api = api
        self.port = 0  # the bound port, once started (the configured one may be 0)
        self.socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._connecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(HEALTH_PATH, self._health)
        if self.settings.mode == "http":
            app.router.add_post(EVENTS_PATH, self._events)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("listening on %s:%s (%s mode)", self.settings.host, self.port, self.settings.mode)
        if self.settings.mode == "socket":
            self.socket = AsyncSocketModeHandler(
                self.bolt,
                app_token=self.settings.app_token,
                web_client=self.api.new_client(),
                ping_interval=self.settings.ping_interval,
            )
            # connect() retries until Slack answers: never let it hold up start-up
            self._connecting = asyncio.create_task(
                self.socket.connect_async()  # type: ignore[no-untyped-call]
            )

    async def stop(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connecting
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def connected(self) -> bool:
        session = self.socket.client.current_session if self.socket else None
        return session is not None and not session.closed

    async def _events(self, request: web.Request) -> web.Response:
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _health(self, request: web.Request) -> web.Response:
        if self.settings.mode == "socket" and not self.connected:
            return web.json_response(
                {"ok": False, "mode": "socket", "connected": False}, status=503
            )
        return web.json_response({"ok": True, "mode": self.settings.mode})
