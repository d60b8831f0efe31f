"""Where a command's time goes: cProfile over the loop of `bench/core.py`, on SQLite.

    python bench/profile_core.py [note|rich-note|task-add|task-done|open-playbook]
        [--ops 2000] [--top 25]

It seeds 100 incidents as `bench/core.py` does, warms up, then profiles `--ops` commands and
what follows their answers, and prints the top lines by cumulative and by own time. Light
units of work (`note`, `task add`, `task done`) run on the event loop, so the profile sees
them whole; work handed to the store's writer thread shows as the loop waiting for it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from core import bench_config, seed, target_of

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import build_app
from warroom.bot.domain.events import CommandReceived, RoomRef
from warroom.storage.migrate import upgrade

WARM_UPS = 50
STORED = 100


def command(scenario: str, n: int) -> tuple[str, bool]:
    """The text of the `n`th command of `scenario`, and whether it is typed in the lobby."""
    if scenario == "note":
        return f"note step {n}", False
    if scenario == "rich-note":  # bench/core.py's: three IPs, a URL, a hash
        a, b = n % 250, n % 200
        text = (
            f"blocked 45.77.{a}.9, 185.220.{a}.7 and 149.154.167.{b} after "
            f"hxxps://evil-{n}[.]com/payload.php dropped 44d88612fea8a8f36de82e1278abb02f"
        )
        return f'note "{text}"', False
    if scenario == "task-add":
        return f'task add "step {n}" --due 1h', False
    if scenario == "task-done":
        return f"task done {n + 1}", False
    return f'open "bench {n}" --playbook ransomware --org cert', True


async def profile(folder: Path, scenario: str, ops: int) -> cProfile.Profile:
    url = f"sqlite:///{folder / 'profile.db'}"
    upgrade(url)
    seed(url, STORED)
    out = io.StringIO()
    console = ConsoleAdapter(user="alice", org="bench", stdout=out, interactive=False)
    app = build_app(bench_config(url, "en"), adapters={"console": console})
    await app.start(outbox_interval=3600)
    room = RoomRef("console", "console", f"seeded-{target_of(STORED)}")
    lobby = RoomRef("console", "console", "lobby")

    async def send(kind: str, n: int) -> None:
        text, in_lobby = command(kind, n)
        event = CommandReceived(console.actor, lobby if in_lobby else room, text, f"{kind}-{n}")
        await app.core.handle(event)
        out.seek(0)
        out.truncate()

    if scenario == "task-done":  # the tasks to tick off
        for n in range(WARM_UPS + ops):
            await send("task-add", n)
    for n in range(WARM_UPS):
        await send(scenario, n)
    await app.core.settled()
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(WARM_UPS, WARM_UPS + ops):
        await send(scenario, n)
    await app.core.settled()
    profiler.disable()
    await app.stop()
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario",
        nargs="?",
        default="note",
        choices=["note", "rich-note", "task-add", "task-done", "open-playbook"],
    )
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        profiler = asyncio.run(profile(Path(tmp), args.scenario, args.ops))
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
