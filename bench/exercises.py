"""Exercise injects on time: how late they reach the war rooms with `--exercises` running at
once, on SQLite, on the real clock, the real scheduler and its job store.

Setup: the exercises are started one after another through the core (`exercise start`),
each with two parts in two organisations and `--injects` injects a few seconds apart, from
5 s after its start. Each inject's lateness is the time from when it was due to when the
console adapter was handed its post (scheduler wake-up, the check that delivers it with its
timeline entry, the outbox). The floor, in the same run and process: APScheduler alone,
waking a no-op job at each of the same moments (its own lateness on this event loop).

    python bench/exercises.py [--exercises 100] [--injects 4] [--gap 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.date import DateTrigger  # type: ignore[import-untyped]

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import build_app
from warroom.bot.config import (
    Config,
    ExercisesConfig,
    OrgConfig,
    RemindersConfig,
    SharingConfig,
    StorageConfig,
)
from warroom.bot.domain.events import CommandReceived, MessageRef, RoomRef
from warroom.bot.domain.messages import Message
from warroom.storage.migrate import upgrade
from warroom.storage.store import UnitOfWork

LOBBY = RoomRef("console", "console", "lobby")


def scenario(injects: int, gap: int) -> str:
    lines = ['title = "Bench drill"', 'parts = ["victim", "cert"]']
    for n in range(injects):
        to = "victim" if n % 2 == 0 else "cert"
        lines += ["[[injects]]", f'id = "i{n}"', f'at = "{5 + n * gap}s"', f'to = "{to}"']
        lines += [f'text = "inject {n}"']
    lines += ["[[expectations]]", 'id = "e"', 'text = "talk"', 'by = "victim"']
    lines += [f'within = "{10 + injects * gap}s"', "manual = true"]
    return "\n".join(lines) + "\n"


class Recording(ConsoleAdapter):
    """The console, noting when each inject post reaches it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: list[tuple[str, str, datetime]] = []  # room id, title, when

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        if "inject" in message.title:
            self.arrived.append((room.room_id, message.title, datetime.now(UTC)))
        return await super().post(room, message)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct))]


async def warroom_lateness(folder: Path, exercises: int, injects: int, gap: int) -> list[float]:
    url = f"sqlite:///{folder / 'exercises.db'}"
    upgrade(url)
    (folder / "drills").mkdir()
    (folder / "drills" / "bench-drill.toml").write_text(scenario(injects, gap))
    config = Config(
        storage=StorageConfig(url=url, auto_upgrade=False),
        reminders=RemindersConfig(plan_poll=timedelta(seconds=60)),
        exercises=ExercisesConfig(dir=str(folder / "drills")),
        orgs=(
            OrgConfig(id="bench", platform="console"),
            OrgConfig(id="cert", platform="console"),
        ),
        sharing=(SharingConfig(orgs=("bench", "cert")),),
    )
    console = Recording(user="alice", org="bench", stdout=io.StringIO(), interactive=False)
    app = build_app(config, adapters={"console": console})
    await app.start(outbox_interval=0.5)
    assert app.reminders is not None
    await asyncio.wait_for(app.reminders.leading.wait(), 10)
    for n in range(exercises):
        text = "exercise start bench-drill --part victim=bench --part cert=cert"
        await app.core.handle(CommandReceived(console.actor, LOBBY, text, f"start-{n}"))
    last = 5 + (injects - 1) * gap
    deadline = time.monotonic() + last + 60
    while len(console.arrived) < exercises * injects and time.monotonic() < deadline:
        await asyncio.sleep(0.2)

    def due(uow: UnitOfWork) -> dict[tuple[str, str], datetime]:
        found = {}
        for number in range(1, exercises + 1):
            incident = uow.incidents.by_key(f"INC-{number}")
            assert incident is not None and incident.id is not None
            rows = {i.inject_id: i.due_at for i in uow.exercises.injects(incident.id)}
            for link in uow.rooms.for_incident(incident.id):
                for inject_id, at in rows.items():
                    if at is not None:
                        found[(link.room_id, f"🎭 EXERCISE · inject {inject_id}")] = at
        return found

    moments = app.store.transaction_sync(due)
    await app.stop()
    lateness = [
        (at - moments[(room, title)]).total_seconds() for room, title, at in console.arrived
    ]
    missing = exercises * injects - len(lateness)
    if missing:
        print(f"warning: {missing} injects did not arrive within a minute of their time")
    return lateness


async def scheduler_floor(count: int, spread: float) -> list[float]:
    """APScheduler alone on this loop: no-op jobs at `count` moments over `spread` seconds."""
    lateness: list[float] = []
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    start = datetime.now(UTC) + timedelta(seconds=2)

    async def job(at: datetime) -> None:
        lateness.append((datetime.now(UTC) - at).total_seconds())

    for n in range(count):
        at = start + timedelta(seconds=spread * n / count)
        scheduler.add_job(job, DateTrigger(run_date=at, timezone=UTC), args=[at])
    while len(lateness) < count:
        await asyncio.sleep(0.1)
    scheduler.shutdown(wait=False)
    return lateness


def line(name: str, samples: list[float]) -> str:
    p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
    worst = max(samples) * 1000
    return f"{name:<52} {len(samples):>6} {p50:9.1f} {p99:9.1f} {worst:9.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=100)
    parser.add_argument("--injects", type=int, default=4)
    parser.add_argument("--gap", type=int, default=3, help="seconds between injects")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        late = asyncio.run(warroom_lateness(Path(folder), args.exercises, args.injects, args.gap))
    floor = asyncio.run(scheduler_floor(len(late) or 1, (args.injects - 1) * args.gap + 1.0))
    print(f"{'inject lateness':<52} {'n':>6} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    print(line(f"{args.exercises} exercises at once: due -> posted", late))
    print(line("floor: APScheduler alone, no-op jobs, same moments", floor))


if __name__ == "__main__":
    main()
