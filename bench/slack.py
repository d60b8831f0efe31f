"""How fast warroom's Slack adapter answers `/incident note`, against bolt's own floor.

Each command is a correctly signed slash-command POST to `/slack/events`. Two latencies
are measured: to the HTTP ack, and to the resulting chat.postMessage reaching the fake
Slack Web API (tests/fakes/slack_api.py) on 127.0.0.1. The floor is a minimal bolt
AsyncApp served the same way that only acks and posts one message. Commands are sent
one after another (the next once the previous one's message has arrived), on SQLite.

    python bench/slack.py [--commands 1000] [--warmup 50]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import logging
import os
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

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
        fake.on_call = self._seen

    def _seen(self, call: Call) -> None:
        if call.method != "chat.postMessage":
            return
        text = str(call.args.get("text", ""))
        for marker, future in list(self.waiting.items()):
            if marker in text and not future.done():
                future.set_result(time.perf_counter())
                del self.waiting[marker]

    async def command(self, url: str, text: str, channel: str, marker: str) -> tuple[float, float]:
        body = urllib.parse.urlencode(
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
        timestamp = str(int(time.time()))
        base = f"v0:{timestamp}:{body}".encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0="
            + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest(),
        }
        posted = asyncio.get_running_loop().create_future()
        self.waiting[marker] = posted
        start = time.perf_counter()
        async with self.http.post(url, data=body, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        acked = time.perf_counter()
        arrived = await asyncio.wait_for(posted, 30)
        return acked - start, arrived - start

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


async def warroom_server(
    fake: FakeSlack, db: str
) -> tuple[str, str, Callable[[], Awaitable[None]]]:
    os.environ["BENCH_SLACK_SECRET"] = SECRET
    os.environ["BENCH_SLACK_TOKEN"] = next(iter(fake.teams))
    config = Config(
        storage=StorageConfig(url=f"sqlite:///{db}"),
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
    url = f"http://127.0.0.1:{app.http.port}/slack/events"
    return url, "", app.stop


async def floor_server(fake: FakeSlack) -> tuple[str, Callable[[], Awaitable[None]]]:
    """The framework floor: bolt acks, then posts one message, nothing else."""
    session = aiohttp.ClientSession()
    client = AsyncWebClient(token=next(iter(fake.teams)), base_url=fake.base_url, session=session)
    bolt = AsyncApp(signing_secret=SECRET, client=client)

    @bolt.command("/incident")
    async def note(ack: AsyncAck, body: dict[str, str]) -> None:
        await ack()
        await client.chat_postMessage(channel=body["channel_id"], text=body["text"])

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


async def main(count: int, warmup: int) -> None:
    logging.basicConfig(level=logging.ERROR)
    fake = FakeSlack()
    team = fake.add_team(TEAM)
    await fake.start()
    fake.add_channel(TEAM, "general", members=[USER, team.bot_user], channel_id=GENERAL)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        async with aiohttp.ClientSession() as http:
            driver = Driver(fake, http)
            url, _, stop = await warroom_server(fake, str(Path(tmp) / "bench.db"))
            try:
                await driver.command(
                    url, 'open "Bench incident"', GENERAL, "INC-1: Bench incident"
                )
                room = fake.channel_named("inc-1-bench-incident").id
                rows.append(
                    (
                        "warroom /incident note",
                        *await driver.run(url, room, count=count, warmup=warmup, tag="wr"),
                    )
                )
            finally:
                await stop()
            floor_url, stop_floor = await floor_server(fake)
            try:
                rows.append(
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
    print_table(rows, count)


def print_table(rows: list[tuple[str, list[float], list[float]]], count: int) -> None:
    ms = [
        (name, *(percentile(s, p) * 1000 for s in (acks, posts) for p in (50, 99)))
        for name, acks, posts in rows
    ]
    print(f"{count} signed slash commands each, sequential, SQLite, fake Slack on 127.0.0.1")
    print("| scenario | ack p50 | ack p99 | postMessage p50 | postMessage p99 |")
    print("|---|---:|---:|---:|---:|")
    for name, a50, a99, p50, p99 in ms:
        print(f"| {name} | {a50:.1f} ms | {a99:.1f} ms | {p50:.1f} ms | {p99:.1f} ms |")
    (_, a50, a99, p50, p99), (_, f50, f99, q50, q99) = ms
    print(
        f"| warroom / floor | {a50 / f50:.2f}x | {a99 / f99:.2f}x | "
        f"{p50 / q50:.2f}x | {p99 / q99:.2f}x |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.commands, args.warmup))
