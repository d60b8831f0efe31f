"""How fast warroom's Slack adapter answers `/incident note` and opens an incident from the
form, against bolt's own floor, on SQLite and (with `--url`) PostgreSQL.

Each command is a correctly signed slash-command POST to `/slack/events`. For `note`, two
latencies are measured: to the HTTP ack, and to the resulting chat.postMessage reaching the
fake Slack Web API (tests/fakes/slack_api.py) on 127.0.0.1. For the form (`/incident
open` with no title): the slash command to `views.open`, then from the signed
`view_submission` to its ack, to `conversations.create`, to the first message in the new
channel and to the opener's `conversations.invite`. The floor is a minimal bolt AsyncApp
served the same way that only acks and posts one message (for the form: opens the view,
then creates, posts and invites). Requests are sent one after another.

    python bench/slack.py [--commands 1000] [--opens 200] [--warmup 20] [--url PG_URL]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import os
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import create_engine, text

from tests.fakes.slack_api import Call, FakeSlack
from warroom.adapters.slack.factory import build_slack_adapter
from warroom.bot.app import build_app
from warroom.bot.config import (
    Config,
    HttpConfig,
    OrgConfig,
    SlackConfig,
    StorageConfig,
)

SECRET = "bench-signing-secret"
TEAM, USER, GENERAL = "T0BENCH", "U0ALICE", "C0GENERAL"
SUBMISSION = Path(__file__).resolve().parents[1] / "tests/integration/slack/payloads"
FORM_STEPS = ("views.open", "ack", "conversations.create", "first message", "invite")

Send = Callable[[str, str], Awaitable[None]]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Driver:
    """Signs and sends slash commands; times the ack and the chat.postMessage they cause."""

    def __init__(self, fake: FakeSlack, http: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.http = http
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.new_channel = ""  # the name conversations.create was last asked for
        self.channel_waits: list[tuple[str, asyncio.Future[float]]] = []
        fake.on_call = self._seen

    def _seen(self, call: Call) -> None:
        now = time.perf_counter()
        if call.method == "conversations.create":
            self.new_channel = str(call.args["name"])
        channel = self.fake.channels.get(str(call.args.get("channel", "")))
        if call.method == "conversations.create" or (
            channel is not None and self.new_channel and channel.name == self.new_channel
        ):
            for method, future in list(self.channel_waits):
                if method == call.method and not future.done():
                    future.set_result(now)
                    self.channel_waits.remove((method, future))
        if call.method != "chat.postMessage":
            return
        text = str(call.args.get("text", ""))
        for marker, future in list(self.waiting.items()):
            if marker in text and not future.done():
                future.set_result(time.perf_counter())
                del self.waiting[marker]

    def _slash(self, text: str, channel: str, marker: str) -> str:
        return urllib.parse.urlencode(
            {
                "team_id": TEAM,
                "channel_id": channel,
                "user_id": USER,
                "user_name": "alice",
                "command": "/incident",
                "text": text,
                "response_url": self.fake.response_url(),
                "trigger_id": f"t-{marker}",
            }
        )

    async def _post(self, url: str, body: str) -> bytes:
        timestamp = str(int(time.time()))
        base = f"v0:{timestamp}:{body}".encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0="
            + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest(),
        }
        async with self.http.post(url, data=body, headers=headers) as response:
            answer = await response.read()
            assert response.status == 200, response.status
            return answer

    async def command(self, url: str, text: str, channel: str, marker: str) -> tuple[float, float]:
        posted = asyncio.get_running_loop().create_future()
        self.waiting[marker] = posted
        start = time.perf_counter()
        await self._post(url, self._slash(text, channel, marker))
        acked = time.perf_counter()
        arrived = await asyncio.wait_for(posted, 30)
        return acked - start, arrived - start

    async def declare(self, url: str, title: str, marker: str) -> list[float]:
        """The form: slash → views.open, then submission → ack → conversations.create →
        first message in the new channel → the opener's invite (seconds, in that order)."""
        opened = self.fake.expect("views.open")
        start = time.perf_counter()
        await self._post(url, self._slash("open", GENERAL, marker))
        view = (await asyncio.wait_for(opened, 30)).args["view"]
        shown = time.perf_counter() - start
        view = json.loads(view) if isinstance(view, str) else view
        submission = json.loads((SUBMISSION / "view_submission.json").read_text())
        submission["team"]["id"] = submission["user"]["team_id"] = TEAM
        submission["view"]["private_metadata"] = view["private_metadata"]
        submission["view"]["id"] = f"V-{marker}"  # each form is a view of its own
        values = submission["view"]["state"]["values"]
        values["title"]["title"]["value"] = title
        created = self.in_new_channel("conversations.create")
        first = self.in_new_channel("chat.postMessage")
        invited = self.in_new_channel("conversations.invite")
        start = time.perf_counter()
        await self._post(url, urllib.parse.urlencode({"payload": json.dumps(submission)}))
        acked = time.perf_counter()
        steps = [await asyncio.wait_for(f, 30) for f in (created, first, invited)]
        return [shown, acked - start, *(t - start for t in steps)]

    def in_new_channel(self, method: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.channel_waits.append((method, future))
        return future

    async def run(
        self, url: str, channel: str, *, count: int, warmup: int, tag: str
    ) -> tuple[list[float], list[float]]:
        acks: list[float] = []
        posts: list[float] = []
        for i in range(warmup + count):
            marker = f"{tag}-{i:05d}"
            ack, post = await self.command(url, f"note bench {marker}", channel, marker)
            if i >= warmup:
                acks.append(ack)
                posts.append(post)
        return acks, posts

    async def declares(self, url: str, *, count: int, warmup: int, tag: str) -> list[list[float]]:
        """Each step's samples (FORM_STEPS order) over `count` forms after `warmup`."""
        steps: list[list[float]] = [[] for _ in FORM_STEPS]
        for i in range(warmup + count):
            times = await self.declare(url, f"bench {tag} {i:05d}", f"{tag}-open-{i}")
            if i >= warmup:
                for samples, seconds in zip(steps, times, strict=True):
                    samples.append(seconds)
        return steps


async def warroom_server(fake: FakeSlack, url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    os.environ["BENCH_SLACK_SECRET"] = SECRET
    os.environ["BENCH_SLACK_TOKEN"] = next(iter(fake.teams))
    config = Config(
        storage=StorageConfig(url=url),
        http=HttpConfig(listen="127.0.0.1:0"),
        slack=SlackConfig(
            mode="http", api_url=fake.base_url, signing_secret_env="BENCH_SLACK_SECRET"
        ),
        orgs=(
            OrgConfig(
                id="acme", platform="slack", workspace=TEAM, bot_token_env="BENCH_SLACK_TOKEN"
            ),
        ),
    )
    adapter = build_slack_adapter(config)
    app = build_app(config, adapters={"slack": adapter}, serve_http=True)
    await app.start()
    assert app.http is not None
    return f"http://127.0.0.1:{app.http.port}/slack/events", app.stop


@asynccontextmanager
async def store_url(kind: str, pg_url: str, folder: str) -> AsyncIterator[str]:
    """A fresh store: a SQLite file, or a PostgreSQL schema of its own, dropped afterwards."""
    if kind == "SQLite":
        yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


async def floor_server(fake: FakeSlack) -> tuple[str, Callable[[], Awaitable[None]]]:
    """The framework floor: bolt acks, then posts one message, nothing else."""
    session = aiohttp.ClientSession()
    client = AsyncWebClient(token=next(iter(fake.teams)), base_url=fake.base_url, session=session)
    bolt = AsyncApp(signing_secret=SECRET, client=client)

    @bolt.command("/incident")
    async def note(ack: AsyncAck, body: dict[str, str]) -> None:
        await ack()
        if body["text"] == "open":
            view = {
                "type": "modal",
                "callback_id": "warroom_open",
                "title": {"type": "plain_text", "text": "Open an incident"},
                "private_metadata": json.dumps({"channel": body["channel_id"]}),
                "blocks": [],
            }
            await client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        await client.chat_postMessage(channel=body["channel_id"], text=body["text"])

    @bolt.view("warroom_open")
    async def submitted(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        title = body["view"]["state"]["values"]["title"]["title"]["value"]
        name = "inc-" + "-".join(title.lower().split())
        channel = (await client.conversations_create(name=name, is_private=True))["channel"]
        await client.chat_postMessage(channel=channel["id"], text=title)
        await client.conversations_invite(channel=channel["id"], users=body["user"]["id"])

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop() -> None:
        await runner.cleanup()
        await session.close()

    return f"http://127.0.0.1:{port}/slack/events", stop


async def main(count: int, opens: int, warmup: int, pg_url: str) -> None:
    logging.basicConfig(level=logging.ERROR)
    fake = FakeSlack()
    team = fake.add_team(TEAM)
    await fake.start()
    fake.add_channel(TEAM, "general", members=[USER, team.bot_user], channel_id=GENERAL)
    notes: list[tuple[str, list[float], list[float]]] = []
    forms: list[tuple[str, list[list[float]]]] = []
    stores = ["SQLite", *(["PostgreSQL"] if pg_url else [])]
    with tempfile.TemporaryDirectory() as tmp:
        async with aiohttp.ClientSession() as http:
            driver = Driver(fake, http)
            for n, kind in enumerate(stores):
                async with store_url(kind, pg_url, tmp) as db:
                    url, stop = await warroom_server(fake, db)
                    try:
                        tag = f"wr{n}"
                        forms.append(
                            (
                                f"warroom, {kind}",
                                await driver.declares(url, count=opens, warmup=warmup, tag=tag),
                            )
                        )
                        await driver.command(url, f'open "Bench {tag}"', GENERAL, f"Bench {tag}")
                        room = fake.channel_named(f"inc-{opens + warmup + 1}-bench-{tag}").id
                        notes.append(
                            (
                                f"warroom /incident note, {kind}",
                                *await driver.run(url, room, count=count, warmup=warmup, tag=tag),
                            )
                        )
                    finally:
                        await stop()
            floor_url, stop_floor = await floor_server(fake)
            try:
                forms.append(
                    (
                        "bolt floor (view, create, post, invite)",
                        await driver.declares(floor_url, count=opens, warmup=warmup, tag="fl"),
                    )
                )
                notes.append(
                    (
                        "bolt floor (ack + 1 post)",
                        *await driver.run(
                            floor_url, GENERAL, count=count, warmup=warmup, tag="fl"
                        ),
                    )
                )
            finally:
                await stop_floor()
    await fake.stop()
    print_table(notes, count)
    print()
    print_forms(forms, opens)


def print_table(rows: list[tuple[str, list[float], list[float]]], count: int) -> None:
    ms = [
        (name, *(percentile(s, p) * 1000 for s in (acks, posts) for p in (50, 99)))
        for name, acks, posts in rows
    ]
    print(f"{count} signed slash commands each, sequential, fake Slack on 127.0.0.1")
    print("| scenario | ack p50 | ack p99 | postMessage p50 | postMessage p99 |")
    print("|---|---:|---:|---:|---:|")
    for name, a50, a99, p50, p99 in ms:
        print(f"| {name} | {a50:.1f} ms | {a99:.1f} ms | {p50:.1f} ms | {p99:.1f} ms |")
    _, f50, f99, q50, q99 = ms[-1]
    for name, a50, a99, p50, p99 in ms[:-1]:
        print(
            f"| {name.removeprefix('warroom /incident note, ')} / floor | {a50 / f50:.2f}x | "
            f"{a99 / f99:.2f}x | {p50 / q50:.2f}x | {p99 / q99:.2f}x |"
        )


def print_forms(rows: list[tuple[str, list[list[float]]]], count: int) -> None:
    print(
        f"{count} incidents opened from the form each, sequential: slash → views.open, "
        "then from the signed view_submission to each step (p50 / p99)"
    )
    print("| scenario | " + " | ".join(FORM_STEPS) + " |")
    print("|---|" + "---:|" * len(FORM_STEPS))
    for name, steps in rows:
        cells = [
            f"{percentile(s, 50) * 1000:.1f} / {percentile(s, 99) * 1000:.1f} ms" for s in steps
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--opens", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--url", default="", help="a PostgreSQL URL: measure on it too")
    args = parser.parse_args()
    asyncio.run(main(args.commands, args.opens, args.warmup, args.url))
