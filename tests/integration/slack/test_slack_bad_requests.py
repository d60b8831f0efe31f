"""Bad requests on `/slack/events` cost a 4xx (or a 200 where Slack would resend) and one
short log line: never a 500, never a traceback, and nothing reaches the inbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from typing import Any

import pytest

from tests.integration.slack.rig import SIGNING_SECRET, SlackRig, payload

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
DEEP = "[" * 100_000 + "]" * 100_000
# Where a request's handling logs (leadership and the scheduler log on their own schedule).
REQUEST_PATH = (
    "warroom.adapters",
    "slack_bolt",
    "aiohttp",
    "warroom.bot.runtime.http",
    "warroom.bot.runtime.inbox",
    "warroom.bot.core",
)


def signed(body: bytes, stamp: str = "") -> dict[str, str]:
    stamp = stamp or str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def command(**changes: Any) -> bytes:
    body = {**payload("slash_command"), **changes}
    return urllib.parse.urlencode({k: v for k, v in body.items() if v is not None}).encode()


def event(event: Any, **changes: Any) -> bytes:
    body = payload("event_message")
    body.update(event=event, **changes)
    return json.dumps(body).encode()


def message(**changes: Any) -> dict[str, Any]:
    event = dict(payload("event_message")["event"])
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def reaction(**item: Any) -> dict[str, Any]:
    event: dict[str, Any] = payload("event_reaction_added")["event"]
    event["item"] = {k: v for k, v in {**event["item"], **item}.items() if v is not None}
    return event


def interaction(body: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(body)}).encode()


def view(state: Any) -> bytes:
    body = payload("view_submission")
    body["view"]["state"] = state
    return interaction(body)


UNSIGNED: list[tuple[str, bytes, str, dict[str, str]]] = [
    ("invalid JSON", b'{"type": ', JSON, {}),
    ("invalid UTF-8", b"\xff\xfe\x00payload=\xc3", FORM, {}),
    ("payload= not JSON", b"payload=%7Bnope", FORM, {}),
    ("deep nesting", DEEP.encode(), JSON, {}),
    ("bad signature", b'{"type": "event_callback"}', JSON, signed(b"other")),
    ("non-numeric timestamp", b"{}", JSON, {**signed(b"{}"), "X-Slack-Request-Timestamp": "abc"}),
    ("non-ASCII timestamp", b"{}", JSON, {"X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠"}),
    ("old timestamp", b"{}", JSON, signed(b"{}", stamp=str(int(time.time()) - 3600))),
]

SIGNED: list[tuple[str, bytes, str, int]] = [
    ("invalid UTF-8", b"text=\xff\xfe", FORM, 400),
    ("invalid JSON", b'{"type": ', JSON, 400),
    ("payload= not JSON", b"payload=%7Bnope", FORM, 400),
    ("payload= a JSON list", b"payload=%5B1%5D", FORM, 400),
    ("deep nesting", DEEP.encode(), JSON, 400),
    ("command without channel_id", command(channel_id=None), FORM, 400),
    ("command without user_id", command(user_id=None), FORM, 400),
    # Events API: Slack resends what it did not get a 2xx for, and each resend would be
    # as broken; so 200 and a warning.
    ("team_id a list", event(message(), team_id=["T0ACME"]), JSON, 200),
    ("event a string", event("message"), JSON, 200),
    ("event null", event(None), JSON, 200),
    ("message without channel", event(message(channel=None)), JSON, 200),
    ("message without ts", event(message(ts=None)), JSON, 200),
    ("reaction without item.channel", event(reaction(channel=None)), JSON, 200),
    (
        "block_actions with actions a string",
        interaction({"type": "block_actions", "actions": "x"}),
        FORM,
        400,
    ),
    ("view_submission with state a list", view([]), FORM, 400),
    ("view_submission with values a string", view({"values": "x"}), FORM, 400),
    ("view_submission with a block a list", view({"values": {"title": []}}), FORM, 400),
]


async def send(rig: SlackRig, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    assert rig.http is not None
    all_headers = {"Content-Type": content_type, **headers}
    async with rig.http.post(rig.url, data=body, headers=all_headers) as response:
        await response.read()
        return response.status


async def test_bad_requests_cost_a_4xx_and_one_short_log_line(
    http_rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    cases = [(name, body, ctype, headers, 401) for name, body, ctype, headers in UNSIGNED]
    cases += [(f"signed {n}", body, ctype, signed(body), code) for n, body, ctype, code in SIGNED]
    wrong = []
    for name, body, content_type, headers, expected in cases:
        caplog.clear()
        status = await send(http_rig, body, content_type, headers)
        lines = [
            r
            for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.startswith(REQUEST_PATH)
        ]
        if status != expected:
            wrong.append(f"{name}: {status}, not {expected}")
        if len(lines) != 1 or any(r.exc_info for r in lines):
            wrong.append(f"{name}: {[r.getMessage()[:80] for r in lines]}")
        elif len(lines[0].getMessage()) > 200:
            wrong.append(f"{name}: a long log line")
    await http_rig.settle()
    assert wrong == []
    stored = http_rig.app.store.transaction_sync(lambda uow: len(uow.inbox.pending()))
    assert stored == 0
    assert http_rig.fake.of("chat.postMessage") == []
