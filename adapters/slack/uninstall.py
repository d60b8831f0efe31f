"""Uninstalling: Slack's `app_uninstalled` and `tokens_revoked` events remove the
workspace's installation. Each is acknowledged only once the installation is gone, so a
failure to remove it gets Slack's resend rather than an ack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

Uninstalled = Callable[[str], Awaitable[None]]  # the team id


def register_uninstall(app: AsyncApp, uninstalled: Uninstalled) -> None:
    async def on_uninstalled(ack: AsyncAck, body: dict[str, Any]) -> None:
        await uninstalled(str(body.get("team_id", "")))
        await ack()

    async def on_revoked(ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get("bot"):  # user tokens: none are kept
            await uninstalled(str(body.get("team_id", "")))
        await ack()

    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_revoked)
