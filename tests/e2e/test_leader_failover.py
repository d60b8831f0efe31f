"""Two `warroom run` processes on one PostgreSQL: one leads the scheduler; when it is killed,
the other takes over and the next reminder fires once.

Real processes keep real time, so this test waits for a (4 s) cadence; it is the only one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, pg_schema
from tests.fakes.bot import TestBot
from warroom.bot.config import load_config
from warroom.storage.migrate import upgrade

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs WARROOM_TEST_PG_URL (PostgreSQL)")
CADENCE = 4  # seconds, SEV1
TAKEOVER = 15  # seconds: the promise


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


def write_config(tmp_path: Path, name: str, url: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f"""
[storage]
url = "{url}"
[http]
listen = "127.0.0.1:0"
[reminders]
sev1 = "{CADENCE}s"
leader_retry = "1s"
plan_poll = "1s"
[console]
org = "acme"
sink = "{tmp_path / f"{name}.jsonl"}"
[[orgs]]
id = "acme"
platform = "console"
digest_room = "digest-acme"
""",
        encoding="utf-8",
    )
    return path


class Process:
    def __init__(self, tmp_path: Path, name: str, url: str) -> None:
        self.sink = tmp_path / f"{name}.jsonl"
        self.log = tmp_path / f"{name}.log"
        config = write_config(tmp_path, name, url)
        with open(self.log, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "warroom", "run", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def said(self, words: str) -> bool:
        return self.log.exists() and words in self.log.read_text()

    def posts(self) -> list[dict[str, object]]:
        if not self.sink.exists():
            return []
        lines = self.sink.read_text().splitlines()
        return [r for r in map(json.loads, lines) if r["action"] == "post"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds}s for {what}")
        time.sleep(0.1)


def war_room_posts(*processes: Process, word: str) -> list[dict[str, object]]:
    return [
        p
        for process in processes
        for p in process.posts()
        if word in str(p["title"]) and p["room"] != "digest-acme"
    ]


def reminders(*processes: Process) -> list[dict[str, object]]:
    return [p for p in war_room_posts(*processes, word="overdue") if "escalated" not in p["title"]]


async def test_killing_the_leader_hands_the_scheduler_over_and_nothing_fires_twice(
    pg_url: str, tmp_path: Path
) -> None:
    upgrade(pg_url)
    first = Process(tmp_path, "first", pg_url)
    second: Process | None = None
    try:
        wait_for(lambda: first.said("now the scheduler leader"), 20, "the first to lead")
        second = Process(tmp_path, "second", pg_url)
        wait_for(lambda: second.said("standing by"), 20, "the second to stand by")

        # A third process handles `open`, as any replica behind a load balancer would; its
        # clock says the incident was opened nearly a cadence ago.
        config = load_config(write_config(tmp_path, "third", pg_url))
        bot = TestBot(pg_url, config=config, platform="console")
        real_now = datetime.now(UTC)
        bot.clock.advance(real_now - bot.clock.now() - timedelta(seconds=CADENCE - 1))
        await bot.open('open "DB leak" --sev 1')
        await bot.close()

        wait_for(lambda: len(reminders(first)) == 1, 15, "the leader's first reminder")
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        wait_for(lambda: second.said("now the scheduler leader"), TAKEOVER, "the takeover")
        wait_for(lambda: len(reminders(second)) >= 1, 3 * CADENCE, "the next reminder")

        assert len(reminders(first, second)) == 2, "one reminder per slot, none twice"
        escalations = war_room_posts(first, second, word="escalated")
        assert len(escalations) == 1
        assert [r["pid"] for r in reminders(second)] == [second.proc.pid]
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            kinds = conn.execute(
                text("SELECT kind FROM timelineentry WHERE kind IN ('reminder', 'escalation')")
            ).scalars()
            assert sorted(kinds) == ["escalation", "reminder", "reminder"]
        engine.dispose()

        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(timeout=10) == 0, second.log.read_text()
    finally:
        first.stop()
        if second is not None:
            second.stop()
