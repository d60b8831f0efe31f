"""warroom with its Slack adapter against the fake Slack, driven as Slack drives it: signed
HTTP requests to `/slack/events`, or envelopes over the Socket Mode WebSocket."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakes.slack_api import FakeSlack
from warroom.adapters.slack.adapter import SlackAdapter
from warroom.adapters.slack.factory import slack_settings
from warroom.bot.app import App, build_app
from warroom.bot.config import (
    Config,
    HttpConfig,
    OrgConfig,
    SharingConfig,
    SlackConfig,
    StorageConfig,
)
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export

PAYLOADS = Path(__file__).parent / "payloads"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ACME, CERT = "T0ACME", "T0CERT"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return copy.deepcopy(data)


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def rig_config(store_url: str, fake: FakeSlack, mode: str) -> Config:
    return Config(
        storage=StorageConfig(url=store_url),
        http=HttpConfig(listen="127.0.0.1:0"),
        slack=SlackConfig(
            mode=mode,
            api_url=fake.base_url,
            signing_secret_env="WR_TEST_SLACK_SIGNING_SECRET",
            app_token_env="WR_TEST_SLACK_APP_TOKEN",
        ),
        orgs=(
            OrgConfig(
                id="acme",
                name="ACME Corp",
                platform="slack",
                workspace=ACME,
                bot_token_env="WR_TEST_SLACK_TOKEN_ACME",
            ),
            OrgConfig(
                id="cert",
                name="National CERT",
                platform="slack",
                workspace=CERT,
                bot_token_env="WR_TEST_SLACK_TOKEN_CERT",
            ),
        ),
        sharing=(SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.AMBER),),
    )


def rig_env(fake: FakeSlack) -> dict[str, str]:
    tokens = {t.id: t.token for t in fake.teams.values()}
    return {
        "WR_TEST_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "WR_TEST_SLACK_APP_TOKEN": fake.app_token,
        "WR_TEST_SLACK_TOKEN_ACME": tokens[ACME],
        "WR_TEST_SLACK_TOKEN_CERT": tokens[CERT],
    }


@dataclass
class Ack:
    status: int
    body: Any  # the JSON answer (dict), text, or None when empty


class SlackRig:
    """`await rig.command("note hi")`; `await rig.settle()`; then look at `rig.fake`."""

    stopped = False

    def __init__(
        self, fake: FakeSlack, config: Config, mode: str, *, ping_interval: float = 10.0
    ) -> None:
        self.fake = fake
        self.config = config
        self.mode = mode
        settings = replace(slack_settings(config), ping_interval=ping_interval)
        self.adapter = SlackAdapter(
            settings, org_of=OrgDirectory(config).org_of, language_of=config.language
        )
        self.clock = FakeClock(datetime.now(UTC))
        self.app: App = build_app(
            config, adapters={"slack": self.adapter}, clock=self.clock, serve_http=True
        )
        self.http: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)

    async def start(self, *, ready: bool = True) -> None:
        """Start warroom; with `ready`, also wait until it knows who the bot is in Slack."""
        await self.app.start(outbox_interval=3600)
        self.http = aiohttp.ClientSession()
        if ready:
            await self.adapter.idle()
        if self.mode == "socket":
            await self.fake.socket.connected()

    async def stop(self) -> None:
        """Stop warroom (a second call does nothing)."""
        if self.stopped:
            return
        self.stopped = True
        if self.http is not None:
            await self.http.close()
        await self.app.stop()

    @property
    def base_url(self) -> str:
        """warroom's HTTP server, as `warroom run` serves it."""
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/slack/events"

    async def retry_later(self) -> None:
        """Let the outbox's backoff pass, then deliver what is due."""
        self.clock.advance(timedelta(minutes=10))
        await self.settle()

    async def settle(self) -> None:
        """Let acknowledged (stored) events be processed and the outbox deliver what is due."""
        await self.adapter.idle()
        await self.app.idle()
        await self.app.services.outbox.drain()
        await self.adapter.idle()

    # what Slack sends

    async def command(
        self,
        text: str,
        *,
        user: str = ALICE,
        team: str = ACME,
        channel: str = "C0GENERAL",
        user_name: str = "",
    ) -> Ack:
        body = payload("slash_command")
        n = next(self._ids)
        body.update(
            team_id=team,
            channel_id=channel,
            user_id=user,
            user_name=user_name or user.removeprefix("U0").lower(),
            text=text,
            response_url=self.fake.response_url(),
            trigger_id=f"{n}.{n * 7}.trigger{uuid.uuid4().hex[:12]}",  # unique across restarts
        )
        if self.mode == "socket":
            return Ack(200, await self.fake.socket.deliver("slash_commands", body))
        return await self.post(urllib.parse.urlencode(body), "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], *, team: str = ACME, event_id: str = "", retry: int = 0
    ) -> Ack:
        channel = self.fake.channels.get(str(event.get("channel", "")))
        if channel is not None and event.get("type") == "message" and not event.get("subtype"):
            self.fake.remember(channel, event)  # Slack keeps what people say
        body = payload("event_message")
        body.update(team_id=team, context_team_id=team, event=event)
        body["event_id"] = event_id or f"Ev{next(self._ids):09d}"
        body["authorizations"][0]["team_id"] = team
        if self.mode == "socket":
            ack = await self.fake.socket.deliver("events_api", body, retry_attempt=retry)
            return Ack(200, ack)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "timeout"}
        return await self.post(json.dumps(body), "application/json", headers if retry else {})

    async def message(
        self,
        channel: str,
        text: str,
        *,
        user: str = ALICE,
        team: str = ACME,
        ts: str = "",
        thread_ts: str = "",
    ) -> str:
        ts = ts or self.fake.next_ts()
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "group",
            "team": team,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        ack = await self.event(event, team=team)
        assert ack.status == 200, ack
        return ts

    async def react(
        self,
        channel: str,
        ts: str,
        *,
        reaction: str = "pushpin",
        user: str = BOB,
        event_id: str = "",
    ) -> Ack:
        event = payload("event_reaction_added")["event"]
        event.update(user=user, reaction=reaction)
        event["item"].update(channel=channel, ts=ts)
        return await self.event(event, event_id=event_id)

    async def interaction(self, body: dict[str, Any]) -> Ack:
        if self.mode == "socket":
            return Ack(200, await self.fake.socket.deliver("interactive", body))
        form = urllib.parse.urlencode({"payload": json.dumps(body)})
        return await self.post(form, "application/x-www-form-urlencoded")

    async def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: str = "",
    ) -> Ack:
        assert self.http is not None
        timestamp = timestamp or str(int(time.time()))
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(secret, timestamp, body),
            **(headers or {}),
        }
        async with self.http.post(self.url, data=body.encode(), headers=signed) as response:
            text = await response.text()
            parsed: Any = json.loads(text) if text.startswith("{") else (text or None)
            return Ack(response.status, parsed)

    # what warroom knows

    def export(self, key: str = "INC-1") -> dict[str, Any]:
        return self.app.store.transaction_sync(lambda uow: incident_export(uow, key))

    def room_of(self, key: str = "INC-1") -> str:
        rooms = self.export(key)["rooms"]
        assert rooms, f"{key} has no room yet"
        return str(rooms[0]["room_id"])
