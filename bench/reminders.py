"""Reminders at scale: 10,000 open incidents with reminders scheduled, then 1,000 falling
due in the same second.

Measures the time to schedule them all (what a leader taking over does: check each one and
write its jobs to APScheduler's SQLAlchemy job store), the process's peak RSS, and the
lateness of the 1,000 reminders: from the second they fall due to the check that queued them
(its timeline entry) and to the moment the platform (a fake that answers instantly) receives
them through the outbox. Real scheduler, real clock, real job store.

    python bench/reminders.py [--incidents 10000] [--burst 1000] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from warroom.bot.app import build_app
from warroom.bot.config import Config, OrgConfig, StorageConfig
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import PortDefaults, RoomSpec, Sink
from warroom.storage.engine import make_engine
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
        ("peak RSS at the end", f"{rss_mb():.0f} MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--url", help="store URL (default: a new SQLite file)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        rows = asyncio.run(bench(url, args.incidents, args.burst))
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
