"""How long from a person's `!incident note` to the bot's answer arriving at their client,
on a local Synapse, against a minimal matrix-nio echo bot on the same server (the floor).

    python bench/matrix.py [-n 500] [--plain]

Starts its own Synapse (the test fixture's code), one warroom bot wired by app.py on a
temporary SQLite database, and the echo bot; the person's client sends commands one at a
time, alternating between the two bots' rooms, and times each answer.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nio import AsyncClient, AsyncClientConfig, MatrixRoom, RoomMessageText

from tests.integration.matrix.conftest import bot_config, start_bot
from tests.integration.matrix.homeserver import Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import open_incident

WARMUP = 20


class EchoBot:
    """The floor: answers `!incident note X` with a notice, nothing else."""

    def __init__(self, server: Homeserver, workdir: Path) -> None:
        self.account = server.register("echo")
        self.user_id = self.account.user_id
        self.client = AsyncClient(
            server.url,
            self.user_id,
            store_path=str(workdir),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.client.login(self.account.password)
        self.client.add_event_callback(self._on_message, RoomMessageText)
        self.client.add_response_callback(self._on_invites)  # join whatever we are invited to
        self.task = asyncio.create_task(self.client.sync_forever(timeout=30_000))

    async def _on_invites(self, response: object) -> None:
        for room_id in list(self.client.invited_rooms):
            await self.client.join(room_id)

    async def _on_message(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.user_id or not event.body.startswith("!incident note"):
            return
        content = {"msgtype": "m.notice", "body": f"noted: {event.body[15:]}"}
        await self.client.room_send(
            room.room_id, "m.room.message", content, ignore_unverified_devices=True
        )

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
        await self.client.close()


async def timed(person: Human, room: str, sender: str, marker: str) -> float:
    start = time.perf_counter()
    await person.say(room, f"!incident note {marker}")
    await person.wait_notice(room, sender, marker)
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(count: int, encrypted: bool, workdir: Path) -> None:
    server = Homeserver(workdir / "synapse")
    server.start()
    bot = echo = person = None
    try:
        account = server.register("warroom")
        os.environ["WARROOM_BENCH_MATRIX_PASSWORD"] = account.password
        config = bot_config(
            server, account, workdir, "WARROOM_BENCH_MATRIX_PASSWORD", encrypt=encrypted
        )
        bot = await start_bot(config)
        (workdir / "echo").mkdir()
        echo = EchoBot(server, workdir / "echo")
        await echo.start()
        person = Human(server.url, server.register("alice"), workdir / "alice")
        await person.start()
        war_room = await open_incident(person, bot, "Bench", encrypted=encrypted)
        echo_room = await person.create_room(invite=[echo.user_id], encrypted=encrypted)
        await person.wait_for(lambda: echo.user_id in person.client.rooms[echo_room].users)
        await person.wait_for(lambda: not person.client.rooms[echo_room].invited_users)
        results: dict[str, list[float]] = {"warroom": [], "echo": []}
        for i in range(WARMUP + count):
            w = await timed(person, war_room, bot.user_id, f"w{i:05d}")
            e = await timed(person, echo_room, echo.user_id, f"e{i:05d}")
            if i >= WARMUP:
                results["warroom"].append(w)
                results["echo"].append(e)
        report(results, encrypted)
    finally:
        for thing in (person, echo):
            if thing is not None:
                await thing.stop()
        if bot is not None:
            await bot.app.stop()
        server.stop()


def report(results: dict[str, list[float]], encrypted: bool) -> None:
    rooms = "encrypted rooms" if encrypted else "unencrypted rooms"
    w, e = results["warroom"], results["echo"]
    rows = [
        ("warroom `!incident note`", w),
        ("nio echo bot (floor)", e),
    ]
    print(f"\n{len(w)} commands each, {rooms}, command sent → answer at the person's client\n")
    print("| bot | n | p50 ms | p99 ms | mean ms |")
    print("|---|---:|---:|---:|---:|")
    for name, values in rows:
        print(
            f"| {name} | {len(values)} | {percentile(values, 50):.1f} | "
            f"{percentile(values, 99):.1f} | {statistics.fmean(values):.1f} |"
        )
    p50 = percentile(w, 50) / percentile(e, 50)
    p99 = percentile(w, 99) / percentile(e, 99)
    print(f"| warroom / floor | | {p50:.2f}x | {p99:.2f}x | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=500)
    parser.add_argument("--plain", action="store_true", help="unencrypted rooms")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        asyncio.run(run(args.count, not args.plain, Path(tmp)))


if __name__ == "__main__":
    main()
