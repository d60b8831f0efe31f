"""Slack's HTTP Events API as a route on warroom's HTTP server: the neutral request to bolt's
and bolt's response back, as slack_bolt.adapter.aiohttp does for an aiohttp request.

Before bolt sees a request, its signature is checked on the raw bytes (401), the body is
read as UTF-8 and parsed (400), and its shape is checked (payloads.py). Every refusal costs
one short log line, never a traceback. A signed but malformed request gets 400, except an
Events API event: that gets 200 and a warning, because Slack resends an event it did not get
a 2xx for (and disables an app whose events keep failing), and a resend would be as broken.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from warroom.adapters.slack.payloads import problem
from warroom.bot.domain.port import HttpRequest, HttpResponse, HttpRoute

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_AGE_S = 300  # Slack's own rule: older signed requests may be replays
TEXT = {"content-type": "text/plain; charset=utf-8"}


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def events_route(bolt: AsyncApp, signing_secret: str) -> HttpRoute:
    secret = signing_secret.encode()

    async def handle(request: HttpRequest) -> HttpResponse:
        try:
            text = checked_body(secret, request)
            body = parse(text, request.headers.get("content-type", ""))
        except Refused as exc:
            return refuse(exc.status, str(exc), request)
        wrong = problem(body)
        if wrong is not None:
            status = 200 if body.get("type") == "event_callback" else 400
            return refuse(status, wrong, request)
        return to_response(await bolt.async_dispatch(to_bolt_request(request, text)))

    return HttpRoute("POST", EVENTS_PATH, handle)


def sign(secret: bytes, stamp: str, body: bytes) -> str:
    """Slack's v0 signature, over the raw bytes (bolt's SignatureVerifier decodes them as
    UTF-8 first, which fails on a body that is not: that is a bad signature, not a crash)."""
    base = b"v0:" + stamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()


def checked_body(secret: bytes, request: HttpRequest) -> str:
    """The body as text, once its signature and age are good."""
    stamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    if not (stamp.isascii() and stamp.isdigit()) or not signature:
        raise Refused(401, "no valid signature headers")
    if abs(time.time() - int(stamp)) > MAX_AGE_S:
        raise Refused(401, "signature too old")
    if not hmac.compare_digest(sign(secret, stamp, request.body), signature):
        raise Refused(401, "bad signature")
    try:
        return request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None


def parse(text: str, content_type: str) -> dict[str, Any]:
    """The body as bolt will read it: JSON, a form, or a form whose `payload` is JSON."""
    try:
        if content_type.startswith("application/json") or text.startswith("{"):
            return _object(json.loads(text))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
        if "payload" in form:
            return _object(json.loads(form["payload"]))
        return dict(form)
    except (ValueError, RecursionError):
        raise Refused(400, "body cannot be parsed") from None


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def refuse(status: int, reason: str, request: HttpRequest) -> HttpResponse:
    log.warning("Slack request refused with %s: %s (%s bytes)", status, reason, len(request.body))
    return HttpResponse(status, b"" if status == 200 else reason.encode(), TEXT)


def to_bolt_request(request: HttpRequest, text: str) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=text, query=request.query, headers=dict(request.headers))


def to_response(response: BoltResponse) -> HttpResponse:
    """Status, body and first header values (bolt always sets the content type). No cookies:
    they belong to the OAuth flow, which warroom does not serve."""
    headers = response.first_headers_without_set_cookie()
    return HttpResponse(response.status, response.body.encode("utf-8"), headers)
