"""Socket Mode as Slack serves it: `hello`, envelopes the client must ack, and `disconnect`."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.slack_api import FakeSlack


class SocketModeServer:
    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        self.connections = 0
        self.refusing = False  # new connections fail, as when the network is down
        self.ws: web.WebSocketResponse | None = None
        self._connected = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def url(self) -> str:
        return f"ws://127.0.0.1:{self.slack.port}/socket?ticket={uuid.uuid4().hex}"

    async def attach(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.connections += 1
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0WARROOM"},
        }
        await ws.send_str(json.dumps(hello))
        self._connected.set()

    def received(self, message: dict[str, Any]) -> None:
        future = self._acks.pop(str(message.get("envelope_id", "")), None)
        if future is not None and not future.done():
            future.set_result(message.get("payload") or {})

    async def connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Send one envelope (`slash_commands`, `events_api`, `interactive`); return the ack's
        payload once the client acknowledges it."""
        await self.connected(timeout)
        assert self.ws is not None
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        await self.ws.send_str(json.dumps(envelope))
        return await asyncio.wait_for(future, timeout)

    async def disconnect(self, timeout: float = 10.0) -> None:
        """Ask the client to reconnect, as Slack does every few hours; wait until it has."""
        await self.connected(timeout)
        assert self.ws is not None
        old = self.connections
        self._connected.clear()
        message = {"type": "disconnect", "reason": "refresh_requested"}
        await self.ws.send_str(json.dumps(message))
        await self.connected(timeout)
        assert self.connections > old

    async def drop(self) -> None:
        """The connection breaks and new ones fail until `allow()`: what Slack sends in the
        meantime reaches nobody, as when the network between them is down."""
        self.refusing = True
        await self.close()

    def allow(self) -> None:
        self.refusing = False

    async def close(self) -> None:
        self._connected.clear()
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        self.ws = None
