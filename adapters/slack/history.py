"""A channel's history from Slack's Web API (conversations.history and .replies): what was
said since a point, oldest first, and one message by its ts.

Both methods answer newest first, a page at a time (`has_more`, `response_metadata.
next_cursor`); a 429 is retried after Slack's Retry-After by the API client (api.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from warroom.adapters.slack.api import SlackApi, SlackCallError

log = logging.getLogger(__name__)

PAGE = 200  # the most Slack recommends per page
MAX_PAGES = 50  # per channel or thread and catch-up: 10,000 messages

Said = dict[str, Any]


def ts_key(ts: str) -> Decimal:
    """A Slack ts (`"1712345678.000200"`) as a number, for ordering; 0 when it is none."""
    try:
        return Decimal(ts) if ts else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def ts_at(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


async def said_since(
    api: SlackApi, team: str, channel: str, *, oldest: str, after: str
) -> list[Said]:
    """What was said in `channel` after the message `after` ("" for all), oldest first: its
    messages since `oldest`, and the replies in threads started since then."""
    newer = ts_key(after)
    found: dict[str, Said] = {}
    threads: list[str] = []
    channel_pages = _pages(api, team, "conversations_history", channel=channel, oldest=oldest)
    async for message in channel_pages:
        ts = str(message.get("ts", ""))
        if ts_key(ts) > newer:
            found[ts] = {**message, "channel": channel}
        if message.get("reply_count") and ts_key(str(message.get("latest_reply"))) > newer:
            threads.append(ts)
    since = after if newer > ts_key(oldest) else oldest
    for parent in threads:
        replies = _pages(
            api, team, "conversations_replies", channel=channel, ts=parent, oldest=since
        )
        async for reply in replies:
            ts = str(reply.get("ts", ""))
            if ts != parent and ts_key(ts) > newer:
                found.setdefault(ts, {**reply, "channel": channel})
    return sorted(found.values(), key=lambda said: ts_key(str(said.get("ts", ""))))


async def message_at(api: SlackApi, team: str, channel: str, ts: str) -> Said | None:
    """The message `ts` of `channel`: in the channel, else as a reply in a thread."""
    window = {"channel": channel, "oldest": ts, "latest": ts, "inclusive": True, "limit": 1}
    for method, args in (
        ("conversations_history", window),
        ("conversations_replies", {**window, "ts": ts}),
    ):
        try:
            response = await api.call(team, method, **args)
        except SlackCallError as exc:
            if exc.retryable:
                raise
            log.info("no message %s in %s: %s", ts, channel, exc.error)
            return None
        for message in response.get("messages") or []:
            if isinstance(message, dict) and message.get("ts") == ts:
                return message
    return None


async def _pages(api: SlackApi, team: str, method: str, **args: Any) -> AsyncIterator[Said]:
    cursor = ""
    for _ in range(MAX_PAGES):
        page = {"limit": PAGE, **args, **({"cursor": cursor} if cursor else {})}
        response = await api.call(team, method, **page)
        for message in response.get("messages") or []:
            if isinstance(message, dict):
                yield message
        cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
        if not response.get("has_more") or not cursor:
            return
    log.warning("%s of %s: stopped after %s pages", method, args.get("channel"), MAX_PAGES)
