"""Reminders at scale: 10,000 open incidents with reminders scheduled, then 1,000 falling
due in the same second.

Measures the time to schedule them all (what a leader taking over does: check each one and
write its jobs to APScheduler's SQLAlchemy job store), the process's peak RSS, and the
lateness of the 1,000 reminders: from the second they fall due to the check that queued them
(its timeline entry) and to the moment the platform (a fake that answers instantly) receives
them through the outbox. Real scheduler, real clock, real job store.

The floor, measured in the same run: the least a durable reminder costs here. The same
scheduler and job store fire 1,000 bare jobs due in one second; each stores a row, calls the
platform and marks the row done, each step its own transaction (what the outbox guarantees,
with nothing of warroom's: no check, no timeline, no message).

    python bench/reminders.py [--incidents 10000] [--burst 1000] [--url sqlite:///...]

A PostgreSQL URL gets a schema of its own for the run, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    insert,
    text,
    update,
)

from warroom.bot.app import build_app
from warroom.bot.config import Config, OrgConfig, StorageConfig
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import PortDefaults, RoomSpec, Sink
from warroom.storage.engine import is_sqlite, job_store_engine, make_engine
from warroom.storage.migrate import upgrade
from warroom.storage.models import (
    Incident,
    IncidentOrg,
    ReminderState,
    RoleAssignment,
    RoomLink,
)

SEV1 = timedelta(minutes=30)


class InstantPlatform(PortDefaults):
    """Answers every call at once; notes when each reminder arrived."""

    platform = "console"

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def start(self, sink: Sink) -> None: ...
    async def stop(self) -> None: ...
    async def create_room(self, spec: RoomSpec) -> RoomRef:
        return RoomRef("console", "console", spec.name)

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None: ...
    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        if "overdue" in message.title:
            self.arrived.setdefault(room.room_id, time.time())
        return MessageRef(room, "m")

    async def edit(self, ref: MessageRef, message: Message) -> None: ...
    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None: ...
    async def set_topic(self, room: RoomRef, topic: str) -> None: ...
    async def pin(self, room: RoomRef, ref: MessageRef) -> None: ...
    async def archive(self, room: RoomRef) -> None: ...
    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        return None


def seed(url: str, numbers: range, *, opened: list[datetime], severities: list[int]) -> None:
    """Open incidents in bulk: each with its room, commander and an unplanned reminder."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(Incident),
            [
                {"id": n, "number": n, "key": f"INC-{n}", "title": f"bench {n}",
                 "severity": sev, "state": "investigating", "tlp": "AMBER", "exercise": False,
                 "summary": "", "opened_at": at, "timeline_seq": 0, "timeline_head": "0" * 64}
                for n, at, sev in zip(numbers, opened, severities, strict=True)
            ],
        )  # fmt: skip
        conn.execute(
            insert(IncidentOrg),
            [{"incident_id": n, "org": "bench", "joined_at": opened[0]} for n in numbers],
        )
        conn.execute(
            insert(RoomLink),
            [
                {"incident_id": n, "org": "bench", "platform": "console", "workspace": "console",
                 "room_id": f"room-{n}", "purpose": "warroom", "topic": "",
                 "created_at": opened[0]}
                for n in numbers
            ],
        )  # fmt: skip
        conn.execute(
            insert(RoleAssignment),
            [
                {"incident_id": n, "role": "commander", "scope_org": "", "platform": "console",
                 "workspace": "bench", "user_id": "alice", "display": "alice", "org": "bench",
                 "assigned_at": opened[0], "assigned_by": "warroom"}
                for n in numbers
            ],
        )  # fmt: skip
        conn.execute(
            insert(ReminderState),
            [
                {"incident_id": n, "reminded_slot": 0, "escalated_slot": 0, "plan_version": 1,
                 "scheduled_version": 0}
                for n in numbers
            ],
        )  # fmt: skip
    engine.dispose()


FLOOR = Table(
    "bench_floor",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True)),
)
_floor_run: dict[str, Any] = {}  # what the floor's jobs reach (they are stored by reference)


def _floor_store(n: int) -> None:
    with _floor_run["engine"].begin() as conn:
        conn.execute(insert(FLOOR), {"id": n, "created_at": datetime.now(UTC)})


def _floor_done(n: int) -> None:
    with _floor_run["engine"].begin() as conn:
        conn.execute(update(FLOOR).where(FLOOR.c.id == n).values(done_at=datetime.now(UTC)))


async def floor_job(n: int) -> None:
    loop = asyncio.get_running_loop()
    pool = _floor_run["pool"]
    await loop.run_in_executor(pool, _floor_store, n)
    _floor_run["arrived"].setdefault(n, time.time())
    await loop.run_in_executor(pool, _floor_done, n)
    _floor_run["done"].add(n)


async def floor(url: str, burst: int) -> list[float]:
    """Lateness of `burst` bare durable jobs falling due in the same second."""
    engine: Engine = make_engine(url)
    FLOOR.create(engine)
    workers = 1 if is_sqlite(url) else 4
    arrived: dict[int, float] = {}
    done: set[int] = set()
    _floor_run.update(engine=engine, pool=ThreadPoolExecutor(workers), arrived=arrived, done=done)
    store = SQLAlchemyJobStore(engine=job_store_engine(url), tablename="bench_floor_jobs")
    scheduler = AsyncIOScheduler(timezone=UTC, jobstores={"default": store})
    scheduler.start(paused=True)
    due = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    for n in range(1, burst + 1):
        trigger = IntervalTrigger(minutes=15, start_date=due, timezone=UTC)
        scheduler.add_job(floor_job, trigger, args=[n], id=f"floor:{n}", misfire_grace_time=None)
    scheduler.resume()
    deadline = time.monotonic() + (due - datetime.now(UTC)).total_seconds() + 60
    while len(done) < burst and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    scheduler.shutdown(wait=False)
    _floor_run["pool"].shutdown(wait=True)
    engine.dispose()
    return [at - due.timestamp() for at in arrived.values()]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def spread(samples: list[float]) -> str:
    if not samples:
        return "-"
    return f"{percentile(samples, 50):.3f} s / {percentile(samples, 99):.3f} s"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench(url: str, incidents: int, burst: int) -> list[tuple[str, str]]:
    upgrade(url)
    now = datetime.now(UTC)
    background = range(1, incidents - burst + 1)
    # Not due for at least 45 minutes: SEV2..4, opened up to a quarter cadence ago.
    seed(
        url,
        background,
        opened=[now - timedelta(minutes=n % 15) for n in background],
        severities=[2 + n % 3 for n in background],
    )
    platform = InstantPlatform()
    config = Config(
        storage=StorageConfig(url=url), orgs=(OrgConfig(id="bench", platform="console"),)
    )
    app = build_app(config, adapters={"console": platform})
    reminders = app.reminders
    assert reminders is not None
    started = time.perf_counter()
    await app.start(outbox_interval=0.5)
    await reminders.leading.wait()  # the new leader planned every incident
    first = time.perf_counter() - started

    # The burst: opened a cadence ago less a few seconds, so all fall due in the same second.
    estimate = first / max(1, len(background)) * burst
    due = (datetime.now(UTC) + timedelta(seconds=2 + 2 * estimate)).replace(microsecond=0)
    numbers = range(incidents - burst + 1, incidents + 1)
    seed(url, numbers, opened=[due - SEV1] * burst, severities=[1] * burst)
    started = time.perf_counter()
    planned = await reminders.sync()
    second = time.perf_counter() - started
    assert planned == burst, planned
    assert datetime.now(UTC) < due, "the burst was planned too late: raise the margin"
    rss_scheduled = rss_mb()

    deadline = time.monotonic() + (due - datetime.now(UTC)).total_seconds() + 60
    while len(platform.arrived) < burst and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    queued = await app.store.transaction(
        lambda uow: [
            e.at.timestamp() - due.timestamp()
            for n in numbers
            for e in uow.timeline.entries(n)
            if e.kind == "reminder"
        ]
    )
    await app.stop()
    late = [at - due.timestamp() for at in platform.arrived.values()]
    bare = await floor(url, burst)
    return [
        ("store", url.split(":")[0]),
        ("incidents with reminders scheduled", f"{incidents:,}"),
        ("time to schedule them", f"{first + second:.1f} s"),
        ("  rate", f"{incidents / (first + second):,.0f} incidents/s"),
        ("peak RSS once scheduled", f"{rss_scheduled:.0f} MB"),
        ("reminders due in the same second", f"{burst:,}"),
        ("  checked and queued (timeline entry)", f"{len(queued):,}"),
        ("  lateness to queue p50 / p99", f"{spread(queued)}"),
        ("  delivered to the platform", f"{len(late):,}"),
        ("  lateness to platform p50 / p99", f"{spread(late)}"),
        ("  lateness to platform max", f"{max(late):.3f} s" if late else "-"),
        ("floor: bare durable jobs delivered", f"{len(bare):,}"),
        ("  floor lateness to platform p50 / p99", f"{spread(bare)}"),
        ("peak RSS at the end", f"{rss_mb():.0f} MB"),
    ]


@contextmanager
def own_schema(url: str | None) -> Iterator[str | None]:
    """On PostgreSQL, a schema of its own for the run (a shared database stays clean)."""
    if not url or is_sqlite(url):
        yield url
        return
    schema = f"bench_reminders_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--url", help="store URL (default: a new SQLite file)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder, own_schema(args.url) as url:
        url = url or f"sqlite:///{Path(folder) / 'bench.db'}"
        rows = asyncio.run(bench(url, args.incidents, args.burst))
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
