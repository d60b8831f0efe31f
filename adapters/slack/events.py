"""Slack's HTTP Events API as a route on warroom's HTTP server: the neutral request to bolt's
and bolt's response back, as slack_bolt.adapter.aiohttp does for an aiohttp request. Bolt
checks the signature and its age, and answers 401 to a bad one."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from warroom.bot.domain.port import HttpRequest, HttpResponse, HttpRoute

EVENTS_PATH = "/slack/events"


def events_route(bolt: AsyncApp) -> HttpRoute:
    async def handle(request: HttpRequest) -> HttpResponse:
        return to_response(await bolt.async_dispatch(to_bolt_request(request)))

    return HttpRoute("POST", EVENTS_PATH, handle)


def to_bolt_request(request: HttpRequest) -> AsyncBoltRequest:
    # bolt verifies the signature over the text; a body that is not UTF-8 simply fails it
    return AsyncBoltRequest(
        body=request.body.decode("utf-8", errors="replace"),
        query=request.query,
        headers=dict(request.headers),
    )


def to_response(response: BoltResponse) -> HttpResponse:
    """Status, body and first header values (bolt always sets the content type). No cookies:
    they belong to the OAuth flow, which warroom does not serve."""
    headers = response.first_headers_without_set_cookie()
    return HttpResponse(response.status, response.body.encode("utf-8"), headers)
