"""`warroom report --since 365d` over 100,000 incidents on SQLite.

Builds a year of history (incidents of every severity with known times, one in twenty an
exercise, a third of them shared with a second organisation that answers after a while, a
task on every third), then measures the indicators: the operators' view (all incidents) and
one organisation's (`--as-org`, the rule asked for each entry and task it counts), as JSON
and Markdown, in process and as the `warroom report` command a person runs.

The floor, measured in the same run: plain sqlite3 reading the same incident columns and
grouping the same first acts (no ORM, no figures), and the interpreter starting and
importing the CLI (what any `warroom` command pays).

    python bench/report.py [--incidents 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from warroom.bot.config import Config, parse_config
from warroom.bot.domain.language import ENGLISH
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.stats import indicators
from warroom.bot.operations.stats_report import report_json, report_markdown
from warroom.storage.engine import make_engine
from warroom.storage.migrate import upgrade
from warroom.storage.models import Incident, IncidentOrg, Task, TimelineEntry
from warroom.storage.store import Store

ORGS = ("acme", "cert", "cloud")
GOALS = {
    f"sev{n}": {"acknowledge": f"{15 * n}m", "contain": f"{4 * n}h", "resolve": f"{n}d"}
    for n in (1, 2, 3, 4)
}
NOW = datetime(2026, 12, 1, tzinfo=UTC)
HASH = "0" * 64


def config_toml(url: str) -> str:
    goals = "\n".join(
        f"{key} = {{ " + ", ".join(f'{m} = "{v}"' for m, v in t.items()) + " }"
        for key, t in GOALS.items()
    )
    orgs = "\n".join(f'[[orgs]]\nid = "{o}"\nplatform = "console"\n' for o in ORGS)
    sharing = '[[sharing]]\norgs = ["acme", "cert", "cloud"]\nmax_tlp = "AMBER"\n'
    return f'[storage]\nurl = "{url}"\n\n[goals]\n{goals}\n\n{orgs}\n{sharing}'


def build(url: str, count: int) -> None:
    """`count` incidents over the last year, written in bulk."""
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(7)
    incidents, joined, entries, tasks = [], [], [], []
    for n in range(1, count + 1):
        opened = NOW - timedelta(seconds=rng.uniform(0, 364 * 86400))
        sev = rng.choice((1, 2, 2, 3, 3, 3, 4))
        ack = opened + timedelta(seconds=rng.expovariate(1 / (600 * sev)))
        contained = ack + timedelta(seconds=rng.expovariate(1 / (7200 * sev)))
        resolved = contained + timedelta(seconds=rng.expovariate(1 / (20000 * sev)))
        done = rng.random() < 0.95
        home = ("acme", "cloud")[n % 2]
        incidents.append(
            {
                "id": n,
                "number": n,
                "key": f"INC-{n}",
                "title": f"incident {n}",
                "severity": sev,
                "state": "closed" if done else "investigating",
                "tlp": Tlp.AMBER.label,
                "exercise": n % 20 == 0,
                "opened_at": opened,
                "acknowledged_at": ack,
                "contained_at": contained if done else None,
                "resolved_at": resolved if done else None,
                "timeline_seq": 2,
            }
        )
        joined.append({"incident_id": n, "org": home, "joined_at": opened})
        entries.append(_entry(n, 1, opened, home, "opened", "Opened"))
        entries.append(_entry(n, 2, ack, home, "update", "looking at it"))
        if n % 3 == 0:
            invited = opened + timedelta(minutes=10)
            joined.append({"incident_id": n, "org": "cert", "joined_at": invited})
            answer = invited + timedelta(seconds=rng.expovariate(1 / 900))
            tlp = Tlp.RED if rng.random() < 0.1 else Tlp.AMBER
            entries.append(_entry(n, 3, answer, "cert", "message", "we see it", tlp))
            tasks.append(_task(n, opened, home, rng.random() < 0.5))
    with engine.begin() as conn:
        conn.execute(insert(Incident), incidents)
        conn.execute(insert(IncidentOrg), joined)
        conn.execute(insert(TimelineEntry), entries)
        conn.execute(insert(Task), tasks)
    engine.dispose()


def _entry(
    incident: int, seq: int, at: datetime, org: str, kind: str, text: str, tlp: Tlp = Tlp.AMBER
) -> dict[str, Any]:
    return {
        "incident_id": incident,
        "seq": seq,
        "at": at,
        "kind": kind,
        "actor_platform": "console",
        "actor_workspace": org,
        "actor_user_id": f"someone-of-{org}",
        "actor_org": org,
        "text": text,
        "tlp": tlp.label,
        "prev_hash": HASH,
        "hash": HASH,
    }


def _task(incident: int, at: datetime, org: str, done: bool) -> dict[str, Any]:
    return {
        "incident_id": incident,
        "number": 1,
        "text": "rotate the key",
        "tlp": Tlp.AMBER.label,
        "said_org": org,
        "done_at": at + timedelta(hours=1) if done else None,
        "created_at": at,
    }


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="warroom-bench-report-"))
    try:
        measure(folder, args.incidents, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(folder: Path, incidents: int, repeat: int) -> None:
    path = folder / "warroom.db"
    url = f"sqlite:///{path}"
    start = time.perf_counter()
    build(url, incidents)
    print(f"built {incidents:,} incidents in {time.perf_counter() - start:.1f} s")
    (folder / "warroom.toml").write_text(config_toml(url), encoding="utf-8")
    config: Config = parse_config(
        {
            "storage": {"url": url},
            "goals": GOALS,
            "orgs": [{"id": o, "platform": "console"} for o in ORGS],
            "sharing": [{"orgs": list(ORGS), "max_tlp": "AMBER"}],
        }
    )
    store = Store(url)
    year = timedelta(days=365)

    def report(as_org: str | None, fmt: str) -> Callable[[], object]:
        def run() -> object:
            found = store.transaction_sync(
                lambda uow: indicators(uow, config, now=NOW, since=year, as_org=as_org)
            )
            if fmt == "json":
                return json.dumps(report_json(found))
            return report_markdown(found, ENGLISH)

        return run

    rows: list[tuple[str, list[float]]] = []
    rows.append(("indicators, all incidents, JSON", timed(report(None, "json"), repeat)))
    rows.append(("indicators, all incidents, Markdown", timed(report(None, "md"), repeat)))
    rows.append(("indicators --as-org cert, JSON", timed(report("cert", "json"), repeat)))
    store.close()
    entry = "from warroom.bot.cli import main; raise SystemExit(main())"
    cli = [sys.executable, "-c", entry, "report", "-c", str(folder / "warroom.toml")]
    command = [*cli, "--since", "365d", "--format", "json"]
    rows.append(("`warroom report --since 365d` (a process)", timed(_run(command), repeat)))
    floor_read = timed(lambda: _plain_read(path, NOW - year), repeat)
    start_cli = [sys.executable, "-c", "import warroom.bot.cli, warroom.bot.app"]
    floor_start = timed(_run(start_cli), repeat)
    print()
    print(f"{'what':<46} {'best':>8} {'median':>8}")
    for name, times in [
        *rows,
        ("floor: sqlite3 reads the same columns", floor_read),
        ("floor: python starts and imports warroom", floor_start),
    ]:
        print(f"{name:<46} {min(times):>7.3f}s {statistics.median(times):>7.3f}s")


def _run(command: list[str]) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run(command, check=True, capture_output=True)

    return run


def _plain_read(path: Path, since: datetime) -> int:
    """The incidents' times and the first acts, fetched with nothing on top."""
    db = sqlite3.connect(path)
    try:
        bound = since.replace(tzinfo=None).isoformat(sep=" ")
        rows = db.execute(
            "SELECT id, severity, exercise, opened_at, acknowledged_at, contained_at, "
            "resolved_at FROM incident WHERE opened_at >= ?",
            (bound,),
        ).fetchall()
        acts = db.execute(
            "SELECT o.incident_id, o.org, o.joined_at, MIN(t.at) FROM incidentorg o "
            "JOIN timelineentry f ON f.incident_id = o.incident_id AND f.seq = 1 "
            "LEFT JOIN timelineentry t ON t.incident_id = o.incident_id "
            "AND t.actor_org = o.org AND t.at >= o.joined_at "
            "WHERE o.org != f.actor_org GROUP BY o.incident_id, o.org, o.joined_at"
        ).fetchall()
        return len(rows) + len(acts)
    finally:
        db.close()


if __name__ == "__main__":
    main()
