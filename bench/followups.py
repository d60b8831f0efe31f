"""Follow-ups at scale, on SQLite: adding them, listing them across incidents, and a burst
of them falling due at once.

Setup (not timed): `--incidents` incidents opened through the core, half of them resolved
and closed, each with `--per` follow-ups added by command. Then, each through everything a
real command does (parse, authorise, store with the replay guard and hash chain, render):

- `followup add` in a war room, beside `note` (the command floor) and `task add` (its
  neighbour) in the same room;
- `followups` outside a war room, listing every follow-up of every incident the caller's
  organisation takes part in, each through the disclosure rule; its floor, in the same run:
  plain sqlite3 reading the same rows (follow-ups joined to their incidents and the
  caller's organisation) as tuples;
- the due check: the clock moves past every due time and one check reminds them all
  (digest post, private notice, timeline entry each), then the outbox delivers them to the
  console. The floor, in the same run: plain sqlite3 doing the same writes in one
  transaction (select the due rows, mark each, insert its two outbox rows and one entry).

    python bench/followups.py [--incidents 200] [--per 10] [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.events import CommandReceived, RoomRef
from warroom.storage.migrate import upgrade

LOBBY = RoomRef("console", "console", "lobby")


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct))]


def row(name: str, samples: list[float], wall: float) -> tuple[str, int, float, float, float]:
    return (
        name,
        len(samples),
        percentile(samples, 0.5) * 1000,
        percentile(samples, 0.99) * 1000,
        len(samples) / wall if wall else 0.0,
    )


class Bench:
    def __init__(self, app: App, console: ConsoleAdapter, out: io.StringIO) -> None:
        self.app, self.console, self.out = app, console, out
        self.ids = 0

    async def send(self, text: str, room: RoomRef = LOBBY) -> None:
        self.ids += 1
        event = CommandReceived(self.console.actor, room, text, f"bench-{self.ids}")
        await self.app.core.handle(event)
        self.out.seek(0)
        self.out.truncate()

    def room_of(self, number: int) -> RoomRef:
        def find(uow):  # type: ignore[no-untyped-def]
            incident = uow.incidents.by_key(f"INC-{number}")
            return uow.rooms.for_incident(incident.id)[0].room

        return self.app.store.transaction_sync(find)


async def timed(bench: Bench, name: str, texts: list[tuple[str, RoomRef]]) -> tuple:
    samples = []
    started = time.perf_counter()
    for text, room in texts:
        t0 = time.perf_counter()
        await bench.send(text, room)
        samples.append(time.perf_counter() - t0)
    await bench.app.core.settled()
    return row(name, samples, time.perf_counter() - started)


async def run(folder: Path, incidents: int, per: int, runs: int) -> list[tuple]:
    url = f"sqlite:///{folder / 'followups.db'}"
    upgrade(url)
    config = Config(
        storage=StorageConfig(url=url, auto_upgrade=False),
        orgs=(
            OrgConfig(id="bench", platform="console", digest_room="digest-bench"),
            OrgConfig(id="cert", platform="console"),
        ),
        sharing=(SharingConfig(orgs=("bench", "cert")),),
    )
    out = io.StringIO()
    console = ConsoleAdapter(user="alice", org="bench", stdout=out, interactive=False)
    clock = FakeClock()
    app = build_app(config, adapters={"console": console}, clock=clock)
    await app.start(outbox_interval=3600)
    assert app.reminders is not None
    await app.reminders.stop()  # the checks below run by hand, on the fake clock
    bench = Bench(app, console, out)
    started = time.perf_counter()
    for n in range(1, incidents + 1):
        await bench.send(f'open "bench {n}" --sev 3')
        await app.core.settled()
        while await app.outbox.drain():  # the war room is made before it is spoken in
            pass
        room = bench.room_of(n)
        for k in range(per):
            await bench.send(f'followup add "step {k}" --owner commander --due 1h', room)
        if n % 2:
            await bench.send("resolve", room)
            await bench.send("close", room)
    await app.core.settled()
    await app.outbox.drain()
    setup = time.perf_counter() - started
    open_room = bench.room_of(incidents if incidents % 2 == 0 else incidents - 1)
    rows = [
        await timed(
            bench, "note (the command floor)", [(f"note n{i}", open_room) for i in range(runs)]
        ),
        await timed(
            bench,
            "task add (its neighbour)",
            [(f'task add "more {i}" --owner commander --due 1h', open_room) for i in range(runs)],
        ),
        await timed(
            bench,
            "followup add",
            [
                (f'followup add "more {i}" --owner commander --due 1h', open_room)
                for i in range(runs)
            ],
        ),
        await timed(
            bench,
            f"followups across {incidents} incidents ({incidents * per:,} items)",
            [("followups --open", LOBBY)] * max(10, runs // 10),
        ),
        listing_floor(folder, max(10, runs // 10)),
    ]
    clock.advance(timedelta(hours=2))
    t0 = time.perf_counter()
    reminded = await app.reminders.followups()
    checked = time.perf_counter() - t0
    while await app.outbox.drain():
        pass
    delivered = time.perf_counter() - t0
    rows.append((f"due check: {reminded:,} reminded in one check", 1, checked * 1000, None, None))
    rows.append(
        (f"... and delivered ({2 * reminded:,} messages)", 1, delivered * 1000, None, None)
    )
    rows.append(floor_row(folder, reminded))
    await app.stop()
    print(f"setup: {incidents} incidents, {incidents * per:,} follow-ups in {setup:.1f}s")
    return rows


LISTED = """
SELECT f.*, i.* FROM followup f
JOIN incident i ON i.id = f.incident_id
JOIN incidentorg o ON o.incident_id = i.id
WHERE o.org = 'bench' AND f.done_at IS NULL
ORDER BY i.number, f.number
"""


def listing_floor(folder: Path, runs: int) -> tuple:
    """What `followups` reads, in plain sqlite3: one query, rows as tuples."""
    db = sqlite3.connect(folder / "followups.db")
    samples = []
    started = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        db.execute(LISTED).fetchall()
        samples.append(time.perf_counter() - t0)
    db.close()
    return row("floor: sqlite3 reads the same rows", samples, time.perf_counter() - started)


def floor_row(folder: Path, count: int) -> tuple:
    """The same writes as the due check, in plain sqlite3, one transaction."""
    db = sqlite3.connect(folder / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, due TEXT, reminded TEXT)")
    db.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, payload TEXT)")
    db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, text TEXT, hash TEXT)")
    db.executemany("INSERT INTO item (due) VALUES (?)", [("2026-01-01",)] * count)
    t0 = time.perf_counter()
    db.execute("BEGIN")
    due = db.execute("SELECT id FROM item WHERE reminded IS NULL AND due <= '2026-01-02'")
    for (item_id,) in due.fetchall():
        db.execute("UPDATE item SET reminded = '2026-01-02' WHERE id = ?", (item_id,))
        db.executemany("INSERT INTO outbox (payload) VALUES (?)", [("{}",), ("{}",)])
        db.execute("INSERT INTO entry (text, hash) VALUES (?, ?)", (f"#{item_id}", "0" * 64))
    db.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    db.close()
    return (f"floor: sqlite3, the same {count:,} writes", 1, elapsed * 1000, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--per", type=int, default=10)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = asyncio.run(run(Path(folder), args.incidents, args.per, args.runs))
    print(f"{'what':<58} {'n':>5} {'p50 ms':>9} {'p99 ms':>9} {'per s':>8}")
    for name, n, p50, p99, rate in rows:
        p99_text = f"{p99:9.2f}" if p99 is not None else f"{'':>9}"
        rate_text = f"{rate:8.0f}" if rate is not None else f"{'':>8}"
        print(f"{name:<58} {n:>5} {p50:9.2f} {p99_text} {rate_text}")


if __name__ == "__main__":
    main()
