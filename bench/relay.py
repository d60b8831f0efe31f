"""How long warroom's relay takes between Slack and Matrix, beyond the platforms' own delivery,
and how many messages it relays per second between three linked rooms.

    python bench/relay.py [-n 1000] [--warmup 20] [--burst 1000]

Starts its own Synapse (the test fixture's code) and the fake Slack on 127.0.0.1, and one
warroom wired by app.py with both adapters on a temporary SQLite database: the scenario of
tests/integration/matrix/cross_platform (acme and cloud on two Slack workspaces, cert on
Matrix, one TLP:CLEAR incident, so every message goes to the two other rooms).

Latency, one message at a time:
- Slack→Matrix: acme's signed message event is posted to warroom's /slack/events, until
  cert's liaison's matrix-nio client has received and decrypted the copy.
- Matrix→Slack: cert's liaison sends (encrypted), until the copy's chat.postMessage reaches
  the fake Slack for acme's channel.
- Platforms' own delivery, measured in the same run: a plain matrix-nio client sends to
  another in an encrypted room (send → received), plus a plain slack_sdk chat.postMessage
  to the fake Slack followed by that message's signed event POST to a bare HTTP endpoint
  (post → event). A relay crosses both platforms once, so this sum is its floor; "added" is
  the relay's percentile minus the floor's.

Throughput: a burst of messages said at once, spread over the three rooms (acme and cloud
through Slack events, cert through Matrix), until all their copies (two each) have arrived;
beside it Synapse's own pace, a plain nio client sending as many messages one after another
as warroom's outbox sends copies into Matrix (it sends them in order, one at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from nio import MatrixRoom, RoomMessageNotice, RoomMessageText
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import Call
from tests.integration.matrix.cross_platform.world import (
    ALICE,
    GENERAL,
    T1,
    World,
    new_fake_slack,
    world_config,
    world_env,
)
from tests.integration.matrix.homeserver import Homeserver
from tests.integration.matrix.human import Human
from tests.integration.slack.rig import SIGNING_SECRET, signature

TARGET_ADDED_P99_MS = 250.0
WAIT_S = 60.0  # a guard against hanging


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Arrivals:
    """When each marker was first seen at a destination (perf_counter seconds)."""

    waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    burst: asyncio.Event = field(default_factory=asyncio.Event)
    burst_expected: int = 0
    burst_seen: int = 0

    def expect(self, where: str, marker: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[f"{where} {marker}"] = future
        return future

    def seen(self, where: str, text: str) -> None:
        now = time.perf_counter()
        if "burst-" in text:
            self.burst_seen += 1
            if self.burst_seen >= self.burst_expected:
                self.burst.set()
            return
        for key, future in list(self.waiting.items()):
            place, _, marker = key.partition(" ")
            if place == where and marker in text and not future.done():
                future.set_result(now)
                del self.waiting[key]


class Bench:
    def __init__(self, world: World, dana: Human, http: aiohttp.ClientSession) -> None:
        self.world = world
        self.cora = world.cora
        self.dana = dana
        self.http = http
        self.arrivals = Arrivals()
        acme = next(t for t in world.fake.teams.values() if t.id == T1)
        world.fake.channels[GENERAL].members.add(acme.bot_user)
        self.slack_client = AsyncWebClient(
            token=acme.token, base_url=world.fake.base_url, session=http
        )
        self.bare_url = ""
        self.floor_room = ""
        self._ids = itertools.count()
        cert_room = world.rooms["cert"]
        slack_rooms = {world.rooms["acme"], world.rooms["cloud"]}

        async def at_cora(room: MatrixRoom, event: RoomMessageNotice | RoomMessageText) -> None:
            if room.room_id == cert_room and event.sender == world.bot_id:
                self.arrivals.seen("matrix", event.body)
            elif room.room_id == self.floor_room and event.sender == dana.user_id:
                self.arrivals.seen("floor", event.body)

        def at_slack(call: Call) -> None:
            channel = str(call.args.get("channel", ""))
            if call.method == "chat.postMessage" and channel in slack_rooms:
                self.arrivals.seen(channel, str(call.args.get("text", "")))

        self.cora.client.add_event_callback(at_cora, (RoomMessageNotice, RoomMessageText))
        world.fake.on_call = at_slack

    async def timed(self, where: str, marker: str, send: Callable[[], Awaitable[object]]) -> float:
        arrived = self.arrivals.expect(where, marker)
        start = time.perf_counter()
        await send()
        return (await asyncio.wait_for(arrived, WAIT_S) - start) * 1000

    # what is measured

    async def slack_to_matrix(self, marker: str) -> float:
        send = self.world.slack_event
        return await self.timed("matrix", marker, lambda: send("acme", f"s2m {marker}"))

    async def matrix_to_slack(self, marker: str) -> float:
        room, acme = self.world.rooms["cert"], self.world.rooms["acme"]
        return await self.timed(acme, marker, lambda: self.cora.say(room, f"m2s {marker}"))

    async def matrix_floor(self, marker: str) -> float:
        room = self.floor_room
        return await self.timed("floor", marker, lambda: self.dana.say(room, f"mx {marker}"))

    async def slack_floor(self) -> float:
        """chat.postMessage to the fake Slack, then that message's signed event to a bare
        endpoint: Slack's part of a relay, in and out."""
        start = time.perf_counter()
        posted = await self.slack_client.chat_postMessage(channel=GENERAL, text="floor")
        event = {"type": "message", "channel": GENERAL, "user": ALICE, "ts": posted["ts"]}
        body = json.dumps({"type": "event_callback", "team_id": T1, "event": event})
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(SIGNING_SECRET, stamp, body),
        }
        async with self.http.post(self.bare_url, data=body, headers=headers) as response:
            await response.read()
        return (time.perf_counter() - start) * 1000

    async def latency(self, count: int, warmup: int) -> dict[str, list[float]]:
        results: dict[str, list[float]] = {k: [] for k in ("s2m", "m2s", "mx", "slack")}
        for i in range(warmup + count):
            samples = {
                "s2m": await self.slack_to_matrix(f"s2m-{i:05d}"),
                "m2s": await self.matrix_to_slack(f"m2s-{i:05d}"),
                "mx": await self.matrix_floor(f"mx-{i:05d}"),
                "slack": await self.slack_floor(),
            }
            if i >= warmup:
                for key, value in samples.items():
                    results[key].append(value)
        return results

    async def throughput(self, messages: int) -> float:
        """Seconds from the first message of the burst until its last copy arrived."""
        per_room = {"acme": messages // 3, "cloud": messages // 3}
        per_room["cert"] = messages - 2 * (messages // 3)
        self.arrivals.burst_expected = 2 * messages
        room = self.world.rooms["cert"]

        async def slack(org: str) -> None:
            for n in range(per_room[org]):
                await self.world.slack_event(org, f"burst-{org}-{n:05d}")

        async def matrix() -> None:
            for n in range(per_room["cert"]):
                await self.cora.say(room, f"burst-cert-{n:05d}")

        start = time.perf_counter()
        await asyncio.gather(slack("acme"), slack("cloud"), matrix())
        await asyncio.wait_for(self.arrivals.burst.wait(), WAIT_S * 5)
        return time.perf_counter() - start

    async def matrix_sends(self, count: int) -> float:
        """Seconds for a plain nio client to send `count` messages one after another (as
        warroom's outbox sends its copies) until the last is received: Synapse's floor."""
        self.arrivals.burst.clear()
        self.arrivals.burst_seen, self.arrivals.burst_expected = 0, count
        start = time.perf_counter()
        for n in range(count):
            await self.dana.say(self.floor_room, f"burst-floor-{n:05d}")
        await asyncio.wait_for(self.arrivals.burst.wait(), WAIT_S * 5)
        return time.perf_counter() - start


async def bare_endpoint() -> tuple[str, Callable[[], Awaitable[None]]]:
    """An HTTP endpoint that reads an event and answers 200: the floor of receiving one."""

    async def events(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}/slack/events", runner.cleanup


async def run(count: int, warmup: int, burst: int, workdir: Path) -> None:
    server = Homeserver(workdir / "synapse")
    server.start()
    fake = await new_fake_slack()
    people: list[Human] = []
    world: World | None = None
    stop_bare: Callable[[], Awaitable[None]] | None = None
    try:
        bot = server.register("warroom")
        os.environ.update(world_env(fake, bot))
        for name in ("cora", "dana"):
            person = Human(server.url, server.register(name), workdir / name)
            await person.start()
            people.append(person)
        cora, dana = people
        config = world_config(
            f"sqlite:///{workdir / 'bench.db'}", fake, server, bot, cora.user_id, workdir
        )
        world = World(fake, config, cora)
        await world.start()
        await world.open("Relay bench", tlp="clear")
        async with aiohttp.ClientSession() as http:
            bench = Bench(world, dana, http)
            bench.bare_url, stop_bare = await bare_endpoint()
            bench.floor_room = await dana.create_room(invite=[cora.user_id])
            await cora.join(bench.floor_room)
            await dana.wait_for(lambda: cora.user_id in dana.client.rooms[bench.floor_room].users)
            results = await bench.latency(count, warmup)
            elapsed = await bench.throughput(burst)
            into_matrix = 2 * (burst // 3)  # the copies of acme's and cloud's messages
            floor = await bench.matrix_sends(into_matrix)
        report(results, burst, elapsed)
        print(
            f"Synapse's own pace: a plain nio client sends {into_matrix} messages (as many as "
            f"the burst's copies into Matrix) one after another in {floor:.2f} s: "
            f"{into_matrix / floor:.0f}/s"
        )
    finally:
        if stop_bare is not None:
            await stop_bare()
        if world is not None:
            await world.stop()
        for person in people:
            await person.stop()
        await fake.stop()
        server.stop()


def report(results: dict[str, list[float]], burst: int, elapsed: float) -> None:
    floor = [m + s for m, s in zip(results["mx"], results["slack"], strict=True)]
    rows = [
        ("relay Slack→Matrix", results["s2m"]),
        ("relay Matrix→Slack", results["m2s"]),
        ("Matrix send→receive (nio, encrypted)", results["mx"]),
        ("fake Slack post→event", results["slack"]),
        ("platforms' own delivery (sum of the two)", floor),
    ]
    n = len(results["s2m"])
    print(f"\n{n} messages each way, one at a time; SQLite; Synapse and fake Slack on loopback\n")
    print("| path | p50 ms | p99 ms | mean ms |")
    print("|---|---:|---:|---:|")
    for name, values in rows:
        print(
            f"| {name} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} | "
            f"{statistics.fmean(values):.1f} |"
        )
    f50, f99 = percentile(floor, 50), percentile(floor, 99)
    for name, values in rows[:2]:
        added50, added99 = percentile(values, 50) - f50, percentile(values, 99) - f99
        verdict = "within" if added99 < TARGET_ADDED_P99_MS else "OVER"
        print(
            f"| added by warroom, {name.removeprefix('relay ')} | {added50:.1f} | "
            f"{added99:.1f} | {verdict} the {TARGET_ADDED_P99_MS:.0f} ms p99 target |"
        )
    print(
        f"\nthroughput, three linked rooms: {burst} messages said at once "
        f"(a third per room), {2 * burst} copies in {elapsed:.2f} s: "
        f"{burst / elapsed:.0f} messages/s relayed ({2 * burst / elapsed:.0f} copies/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=1000, help="per direction")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--burst", type=int, default=1000, help="messages for throughput")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        asyncio.run(run(args.messages, args.warmup, args.burst, Path(tmp)))


if __name__ == "__main__":
    main()
