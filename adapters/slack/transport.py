"""Socket Mode: Slack's requests over a WebSocket the bot opens, so no public URL is needed.

(In HTTP mode Slack's requests come to `/slack/events` on warroom's HTTP server instead: see
events.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from warroom.adapters.slack.api import SlackApi
from warroom.adapters.slack.settings import SlackSettings

log = logging.getLogger(__name__)


class SocketMode:
    def __init__(self, bolt: AsyncApp, settings: SlackSettings, api: SlackApi) -> None:
        self.bolt = bolt
        self.settings = settings
        self.api = api
        self.socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None

    async def start(self, *, on_connected: Callable[[], None]) -> None:
        """Connect in the background; `on_connected` is called as each new connection opens
        (Slack's `hello`, the first message on it)."""
        self.socket = AsyncSocketModeHandler(
            self.bolt,
            app_token=self.settings.app_token,
            web_client=self.api.new_client(),
            ping_interval=self.settings.ping_interval,
        )

        async def hello(client: Any, message: dict[str, Any], raw: str | None) -> None:
            if message.get("type") == "hello":
                on_connected()

        self.socket.client.message_listeners.append(hello)
        # connect() retries until Slack answers: never let it hold up start-up
        self._connecting = asyncio.create_task(
            self.socket.connect_async()  # type: ignore[no-untyped-call]
        )

    async def stop(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connecting
            self._connecting = None
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None

    @property
    def connected(self) -> bool:
        session = self.socket.client.current_session if self.socket else None
        return session is not None and not session.closed
