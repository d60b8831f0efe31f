"""How fast the core handles `note` and `open`, end to end, on SQLite.

Each command goes through everything a real one does: parse, authorise, store (with the
replay guard and the hash chain), render (the console adapter's plain text) and answer.
It runs with 100 and with 100,000 incidents already stored, and measures the floor: plain
sqlite3 inserting one row per transaction with the same durability settings (WAL,
synchronous=NORMAL).

    python bench/core.py [--notes 3000] [--opens 300] [--big 100000]

A second row per store size times a note rich in indicators (three IPs, a URL, a hash),
whose observables are extracted after the answer (in a worker process) and stored before
the clock stops. A third row times the longest note `[limits] message_chars` lets in. With 100
stored, further rows time `note` for an organisation that reads German (beside the English one),
`task add` and `task done` (beside `note`), and `open --playbook ransomware --org cert` (10 tasks
at open, one organisation brought in).
The two notes are timed again interleaved (rounds of each in turn) and their ratio printed.
`open` is timed twice: as it is, and without its look for similar past incidents (the
suggestions, which are still in its path before the answer).
Latencies are to the answer; rates include what follows the answers (a new room's card,
reminder bookkeeping), which a serving process runs after them.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import build_app
from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.events import CommandReceived, RoomRef
from warroom.commands import search
from warroom.storage.models import (
    Incident,
    IncidentOrg,
    Participant,
    RoleAssignment,
    RoomLink,
)


async def _no_suggestions(ctx: object, title: str) -> None:
    return None


def target_of(stored: int) -> int:
    return stored // 2 or 1


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def row(name: str, samples: list[float], wall: float) -> tuple[str, int, float, float, float]:
    return (
        name,
        len(samples),
        len(samples) / wall,
        percentile(samples, 50) * 1000,
        percentile(samples, 99) * 1000,
    )


def seed(app_url: str, count: int) -> None:
    """Store `count` incidents with their room, commander and participant, in bulk: a
    history of closed incidents, and the open one in the middle that the notes go to."""
    from warroom.storage.engine import make_engine

    engine = make_engine(app_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for start in range(1, count + 1, 10_000):
            numbers = range(start, min(count, start + 9_999) + 1)
            conn.execute(
                insert(Incident),
                [
                    {
                        "id": n,
                        "number": n,
                        "key": f"INC-{n}",
                        "title": f"seeded {n}",
                        "severity": 3,
                        "state": "investigating" if n == target_of(count) else "closed",
                        "tlp": "AMBER",
                        "exercise": False,
                        "summary": "",
                        "opened_at": now,
                        "timeline_seq": 0,
                        "timeline_head": "0" * 64,
                    }
                    for n in numbers
                ],
            )
            conn.execute(
                insert(IncidentOrg),
                [{"incident_id": n, "org": "bench", "joined_at": now} for n in numbers],
            )
            conn.execute(
                insert(RoomLink),
                [
                    {
                        "incident_id": n,
                        "org": "bench",
                        "platform": "console",
                        "workspace": "console",
                        "room_id": f"seeded-{n}",
                        "purpose": "warroom",
                        "topic": "",
                        "created_at": now,
                    }
                    for n in numbers
                ],
            )
            conn.execute(
                insert(Participant),
                [
                    {
                        "incident_id": n,
                        "platform": "console",
                        "workspace": "bench",
                        "user_id": "alice",
                        "display": "alice",
                        "org": "bench",
                        "joined_at": now,
                    }
                    for n in numbers
                ],
            )
            conn.execute(
                insert(RoleAssignment),
                [
                    {
                        "incident_id": n,
                        "role": "commander",
                        "scope_org": "",
                        "platform": "console",
                        "workspace": "bench",
                        "user_id": "alice",
                        "display": "alice",
                        "org": "bench",
                        "assigned_at": now,
                        "assigned_by": "warroom",
                    }
                    for n in numbers
                ],
            )
        # incident numbers come from the counter, which a bulk insert does not move
        conn.execute(text("UPDATE counter SET value = :n WHERE name = 'incident'"), {"n": count})
    engine.dispose()


async def measure(
    label: str,
    count: int,
    send: Callable[[int], Awaitable[None]],
    settled: Callable[[], Awaitable[None]],
) -> tuple[str, int, float, float, float]:
    """Each command to its answer (p50/p99); the rate counts what follows the answers too
    (a new room's card, reminder bookkeeping): the clock stops once that has run."""
    for n in range(warm_ups(count)):  # warm up caches and the statement cache
        await send(-n - 1)
    await settled()
    samples = []
    started = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        await send(n)
        samples.append(time.perf_counter() - t0)
    await settled()
    return row(label, samples, time.perf_counter() - started)


ROUNDS = 4  # of the interleaved comparison


async def interleaved(
    stored: int,
    count: int,
    note: Callable[[int], Awaitable[None]],
    rich_note: Callable[[int], Awaitable[None]],
    settled: Callable[[], Awaitable[None]],
) -> list[tuple[str, int, float, float, float]]:
    """A plain and a rich note side by side: rounds of each in turn, so that what the
    machine does meanwhile weighs on both alike (their rows above run a minute apart)."""
    times: dict[str, tuple[list[float], list[float]]] = {"plain": ([], []), "rich": ([], [])}
    per_round = max(1, count // ROUNDS)
    first = 3_000_000  # numbers the rows above did not use: each note is a new event
    for r in range(ROUNDS):
        for kind, send in (("plain", note), ("rich", rich_note)):
            samples, walls = times[kind]
            started = time.perf_counter()
            for n in range(first + r * per_round, first + (r + 1) * per_round):
                t0 = time.perf_counter()
                await send(n)
                samples.append(time.perf_counter() - t0)
            await settled()
            walls.append(time.perf_counter() - started)
    return [
        row(f"{kind} note, interleaved, {stored:,}", samples, sum(walls))
        for kind, (samples, walls) in times.items()
    ]


def bench_config(url: str, locale: str) -> Config:
    locale = "de" if locale != "en" else "en"
    return Config(
        storage=StorageConfig(url=url),
        orgs=(
            OrgConfig(id="bench", platform="console", locale=locale, timezone="Europe/Berlin"),
            OrgConfig(id="cert", platform="console"),
        ),
        sharing=(SharingConfig(orgs=("bench", "cert")),),
    )


def warm_ups(count: int) -> int:
    return min(50, count // 10)


async def core_rows(
    folder: Path, stored: int, notes: int, opens: int, *, locale: str = "en", more: bool = False
) -> list[tuple]:
    url = f"sqlite:///{folder / f'core-{stored}-{locale}.db'}"
    config = bench_config(url, locale)
    from warroom.storage.migrate import upgrade

    upgrade(url)
    seed(url, stored)
    out = io.StringIO()
    console = ConsoleAdapter(user="alice", org="bench", stdout=out, interactive=False)
    app = build_app(config, adapters={"console": console})
    await app.start(outbox_interval=3600)
    actor = console.actor
    room = RoomRef("console", "console", f"seeded-{target_of(stored)}")
    lobby = RoomRef("console", "console", "lobby")

    async def note(n: int) -> None:
        await app.core.handle(CommandReceived(actor, room, f"note step {n}", f"note-{n}"))
        out.seek(0)
        out.truncate()

    async def open_(n: int) -> None:
        await app.core.handle(
            CommandReceived(actor, lobby, f'open "bench {n}" --sev 2', f"open-{n}")
        )
        out.seek(0)
        out.truncate()

    async def without_suggestions(n: int) -> None:
        """`open` without the look for similar past incidents, which is still in its path."""
        looked = search.suggest
        search.suggest = _no_suggestions
        try:
            await open_(n + 1_000_000)
        finally:
            search.suggest = looked

    big = ("we saw 203.0.113.9 try password: hunter2x then " * 1000)[:39_990]

    async def big_note(n: int) -> None:  # the longest command the default limit lets in
        await app.core.handle(CommandReceived(actor, room, f"note {big}", f"big-{n}"))
        out.seek(0)
        out.truncate()

    rich = (
        "blocked 45.77.{a}.9, 185.220.{a}.7 and 149.154.167.{b} after "
        "hxxps://evil-{n}[.]com/payload.php dropped 44d88612fea8a8f36de82e1278abb02f"
    )

    async def rich_note(n: int) -> None:  # three IPs, a URL, a hash: extracted after the answer
        text = rich.format(a=n % 250, b=n % 200, n=n)
        await app.core.handle(CommandReceived(actor, room, f'note "{text}"', f"rich-{n}"))
        out.seek(0)
        out.truncate()

    async def task_add(n: int) -> None:
        text = f'task add "step {n}" --due 1h'
        await app.core.handle(CommandReceived(actor, room, text, f"task-add-{n}"))
        out.seek(0)
        out.truncate()

    async def task_done(n: int) -> None:  # the tasks task_add made, in the order it made them
        number = n + 1 + warm_ups(notes) if n >= 0 else -n
        text = f"task done {number}"
        await app.core.handle(CommandReceived(actor, room, text, f"task-done-{n}"))
        out.seek(0)
        out.truncate()

    async def open_playbook(n: int) -> None:
        text = f'open "bench {n}" --playbook ransomware --org cert'
        await app.core.handle(CommandReceived(actor, lobby, text, f"open-playbook-{n}"))
        out.seek(0)
        out.truncate()

    settled = app.core.settled
    if locale != "en":
        rows = [await measure(f"note in German, {stored:,} stored", notes, note, settled)]
        await app.stop()
        return rows
    rows = [
        await measure(f"note, {stored:,} incidents stored", notes, note, settled),
        await measure(f"note with 3 IPs, a URL, a hash, {stored:,}", notes, rich_note, settled),
        await measure(f"open, {stored:,} incidents stored", opens, open_, settled),
        await measure(f"open, no suggestions, {stored:,}", opens, without_suggestions, settled),
        await measure(
            f"note of 40,000 chars, {stored:,} stored", max(10, notes // 30), big_note, settled
        ),
    ]
    if more:
        rows += await interleaved(stored, notes, note, rich_note, settled)
        rows += [
            await measure(f"task add, {stored:,} stored", notes, task_add, settled),
            await measure(f"task done, {stored:,} stored", notes, task_done, settled),
            await measure(
                f"open --playbook ransomware, {stored:,}", opens, open_playbook, settled
            ),
        ]
    await app.stop()
    return rows


def floor_row(folder: Path, count: int) -> tuple:
    db = sqlite3.connect(folder / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, at TEXT, text TEXT, hash TEXT)")
    samples = []
    started = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO entry (at, text, hash) VALUES (?, ?, ?)",
            (datetime.now(UTC).isoformat(), f"step {n}", "0" * 64),
        )
        db.execute("COMMIT")
        samples.append(time.perf_counter() - t0)
    wall = time.perf_counter() - started
    db.close()
    return row("floor: sqlite3, 1 row per transaction", samples, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--opens", type=int, default=300)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--big", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # a pass thrown away, so that the German and the English rows are both measured warm
        asyncio.run(core_rows(folder, args.small, args.notes // 3, 1, locale="warm"))
        german = asyncio.run(core_rows(folder, args.small, args.notes, args.opens, locale="de"))
        rows = asyncio.run(core_rows(folder, args.small, args.notes, args.opens, more=True))
        rows[1:1] = german
        rows += asyncio.run(core_rows(folder, args.big, args.notes, args.opens))
        rows.append(floor_row(folder, args.notes))
    print(
        f"warroom core on SQLite (WAL, synchronous=NORMAL), python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cpus"
    )
    print(f"| {'scenario':<40} | {'ops':>6} | {'ops/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} |")
    print(f"|{'-' * 42}|{'-' * 8}|{'-' * 10}|{'-' * 9}|{'-' * 9}|")
    for name, ops, rate, p50, p99 in rows:
        print(f"| {name:<40} | {ops:>6} | {rate:>8.0f} | {p50:>7.2f} | {p99:>7.2f} |")
    side_by_side = {name.split()[0]: rate for name, _, rate, _, _ in rows if "interleaved" in name}
    ratio = side_by_side["rich"] / side_by_side["plain"]
    print(f"rich note / plain note, interleaved: {ratio:.0%} of the rate")


if __name__ == "__main__":
    main()
