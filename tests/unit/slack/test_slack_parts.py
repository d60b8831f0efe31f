"""The adapter's small parts: channel names, the modal, mentions, response URLs, retries."""

from __future__ import annotations

import json
import shlex

import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from warroom.adapters.slack.adapter import SlackAdapter
from warroom.adapters.slack.api import BoundedRateLimitHandler
from warroom.adapters.slack.channels import NAME_LIMIT, channel_name, with_suffix
from warroom.adapters.slack.modal import open_view, read_submission
from warroom.adapters.slack.replies import USES, ResponseUrls
from warroom.adapters.slack.settings import SlackSettings
from warroom.bot.config import Config
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.port import Health


def test_channel_names_are_what_slack_accepts() -> None:
    assert channel_name("INC-42 Customer DB: leaked!") == "inc-42-customer-db-leaked"
    long = channel_name("inc-1-" + "a" * 200)
    assert len(long) == NAME_LIMIT
    assert len(with_suffix(long, 12)) == NAME_LIMIT and with_suffix(long, 12).endswith("-12")
    assert channel_name("!!!") == "incident"


def _view(title: str, *, orgs: list[str] = (), exercise: bool = False) -> dict:
    view = open_view(channel="C1", orgs=[("cert", "National CERT")])
    option = {"text": {"type": "plain_text", "text": "x"}, "value": "yes"}
    view["state"] = {
        "values": {
            "title": {"title": {"value": title}},
            "sev": {"sev": {"selected_option": {"value": "2"}}},
            "tlp": {"tlp": {"selected_option": {"value": "amber+strict"}}},
            "orgs": {"orgs": {"selected_options": [{"value": o} for o in orgs]}},
            "exercise": {"exercise": {"selected_options": [option] if exercise else []}},
        }
    }
    return view


def test_a_valid_submission_becomes_an_open_command() -> None:
    got = read_submission(
        _view("--sev 1 it's bad", orgs=["cert"], exercise=True), allowed_orgs=["cert"]
    )
    assert got.errors is None and got.channel == "C1"
    assert shlex.split(got.command) == [
        "open",
        "--sev",
        "2",
        "--tlp",
        "amber+strict",
        "--org",
        "cert",
        "--exercise",
        "--",
        "--sev 1 it's bad",
    ]


def test_an_invalid_submission_names_each_field_at_fault() -> None:
    got = read_submission(_view("  ", orgs=["mallory"]), allowed_orgs=["cert"])
    assert got.command == ""
    assert set(got.errors or {}) == {"title", "orgs"}


def test_the_modal_offers_only_partner_orgs_and_remembers_the_channel() -> None:
    view = open_view(channel="C9", orgs=[])
    assert "orgs" not in [b["block_id"] for b in view["blocks"]]
    assert json.loads(view["private_metadata"]) == {"channel": "C9"}


def test_slack_mentions_are_parsed_and_nothing_else() -> None:
    settings = SlackSettings(mode="http", api_url="http://127.0.0.1:9/api/", bot_tokens={})
    adapter = SlackAdapter(settings, org_of=OrgDirectory(Config()).org_of)
    assert adapter.parse_user("<@U0BOB|bob>", workspace="T1") == UserRef("slack", "T1", "U0BOB")
    assert adapter.parse_user("<@W0BOB>", workspace="T1") == UserRef("slack", "T1", "W0BOB")
    assert adapter.parse_user("@bob", workspace="T1") is None
    assert adapter.parse_user("<!channel>", workspace="T1") is None


def test_health_and_http_routes_follow_the_connection_mode() -> None:
    def adapter(mode: str) -> SlackAdapter:
        settings = SlackSettings(mode=mode, api_url="http://127.0.0.1:9/api/", bot_tokens={})
        return SlackAdapter(settings, org_of=OrgDirectory(Config()).org_of)

    socket = adapter("socket")  # not started: not connected
    assert socket.health() == Health(ok=False, details={"mode": "socket", "connected": False})
    assert socket.http_routes() == ()
    http = adapter("http")
    assert http.health() == Health(ok=True, details={"mode": "http"})
    assert [(r.method, r.path) for r in http.http_routes()] == [("POST", "/slack/events")]


def test_a_response_url_is_used_at_most_five_times() -> None:
    urls = ResponseUrls()
    urls.remember("T1", "C1", "U1", "https://hooks.example/1")
    used = [urls.take("T1", "C1", "U1") for _ in range(USES + 1)]
    assert used[:USES] == ["https://hooks.example/1"] * USES and used[-1] is None
    assert urls.take("T1", "C2", "U1") is None


def _limited(retry_after: str) -> HttpResponse:
    return HttpResponse(status_code=429, headers={"Retry-After": retry_after}, body={})


@pytest.mark.parametrize("retry_after", ["0", "3"])
async def test_retry_after_is_honoured(retry_after: str) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    handler = BoundedRateLimitHandler(max_retry_count=2, max_wait=30, sleep=sleep)
    state = RetryState()
    request = HttpRequest(method="POST", url="http://x/api/chat.postMessage", headers={})
    response = _limited(retry_after)
    assert await handler.can_retry_async(state=state, request=request, response=response)
    await handler.prepare_for_next_attempt_async(state=state, request=request, response=response)
    assert float(retry_after) <= slept[0] <= float(retry_after) * 1.05 + 1e-9
    await handler.prepare_for_next_attempt_async(state=state, request=request, response=response)
    assert not await handler.can_retry_async(state=state, request=request, response=response)


async def test_a_retry_after_beyond_the_bound_is_not_waited_for() -> None:
    handler = BoundedRateLimitHandler(max_wait=30)
    request = HttpRequest(method="POST", url="http://x/api/chat.postMessage", headers={})
    ok = await handler.can_retry_async(
        state=RetryState(), request=request, response=_limited("31")
    )
    assert not ok
