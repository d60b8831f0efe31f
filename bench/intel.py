"""How fast `warroom export --format stix|misp` is for an incident with many observables.

One incident on SQLite with N observables (default 10,000: IPv4 addresses, domains, URLs
and SHA-256 hashes), each said in its own message by one of two organisations at a TLP
from CLEAR to RED. It times the export of the whole record and for the partner
organisation (`--as-org`, each sighting asked of the disclosure rule), from the database to
the printed text, recording included; then the whole `warroom export INC-1 --format stix`
process (interpreter, imports, export, printing). The floors, in the same run: `json.dumps`
of the same number of indicator-shaped dicts, built by hand; and the interpreter starting
and importing warroom's command line. Beside each wall time, the CPU seconds it took (the
process's own, or the child's): on a shared machine the wall time says more about the load.

    python bench/intel.py [--observables 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.intel_export import export_intel
from warroom.storage.chain import entry_hash
from warroom.storage.engine import make_engine
from warroom.storage.migrate import upgrade
from warroom.storage.models import (
    Incident,
    IncidentOrg,
    IntelCursor,
    Observable,
    ObservableSighting,
    TimelineEntry,
)
from warroom.storage.store import Store
from warroom.storage.timeline import NewEntry

ORGS = ("acme", "cert")
LEVELS = list(Tlp)


def value_of(n: int) -> tuple[str, str]:
    kind = ("ipv4", "domain", "url", "sha256")[n % 4]
    if kind == "ipv4":
        return kind, f"45.{n // 65536 % 200 + 1}.{n // 256 % 256}.{n % 256}"
    if kind == "domain":
        return kind, f"host-{n}.evil-corp.com"
    if kind == "url":
        return kind, f"https://evil-{n}.com/gate.php?id={n}"
    return kind, f"{n:064x}"


def seed(url: str, count: int) -> None:
    """The incident, its timeline (a message per observable, hash-chained) and what
    extraction would have stored for it, in bulk."""
    engine = make_engine(url)
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Incident),
            [
                {
                    "id": 1,
                    "number": 1,
                    "key": "INC-1",
                    "title": "Bench",
                    "severity": 2,
                    "state": "investigating",
                    "tlp": "AMBER",
                    "opened_at": at,
                }
            ],
        )
        conn.execute(
            insert(IncidentOrg), [{"incident_id": 1, "org": o, "joined_at": at} for o in ORGS]
        )
        entries, observables, sightings = [], [], []
        head = "0" * 64
        for n in range(count):
            kind, value = value_of(n)
            org, tlp = ORGS[n % 2], LEVELS[n % 5].label
            when = at + timedelta(seconds=n)
            entry = NewEntry(
                1,
                n + 1,
                when,
                "message",
                "fake",
                org,
                f"u{n % 2}",
                "",
                org,
                f"seen {value}",
                tlp,
                f"m{n}",
                head,
            )
            entry.hash = head = entry_hash(entry.prev_hash, entry, "INC-1")
            entries.append(dict(vars(entry)))
            observables.append(
                {
                    "id": n + 1,
                    "incident_id": 1,
                    "type": kind,
                    "value": value,
                    "first_seq": n + 1,
                    "last_seq": n + 1,
                    "times_seen": 1,
                    "first_seen_at": when,
                    "last_seen_at": when,
                    "source_org": org,
                    "tlp": tlp,
                    "tlp_floor": "",
                    "pap": "AMBER",
                    "status": "active",
                    "note": "",
                    "told_orgs": "",
                }
            )
            sightings.append(
                {
                    "observable_id": n + 1,
                    "seq": n + 1,
                    "incident_id": 1,
                    "org": org,
                    "tlp": tlp,
                    "at": when,
                }
            )
        conn.execute(insert(TimelineEntry), entries)
        conn.execute(insert(Observable), observables)
        conn.execute(insert(ObservableSighting), sightings)
        conn.execute(insert(IntelCursor), [{"incident_id": 1, "scanned_seq": count}])
        conn.execute(
            text("UPDATE incident SET timeline_seq = :n, timeline_head = :h WHERE id = 1"),
            {"n": count, "h": head},
        )
        conn.execute(text("UPDATE counter SET value = 1 WHERE name = 'incident'"))
    engine.dispose()


def timed(
    label: str, store: Store, config: Config, form: str, as_org: str | None, profile: str = "oasis"
) -> tuple:
    started, cpu = time.perf_counter(), time.process_time()
    printed = store.transaction_sync(
        lambda uow: export_intel(
            uow, config, "INC-1", form=form, as_org=as_org, at=datetime.now(UTC), profile=profile
        )
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    count = (
        printed.count('"pattern"') + printed.count('"vulnerability"')
        if form == "stix"
        else (printed.count('"to_ids"'))
    )
    return label, count, wall, cpu, len(printed)


def floor_row(count: int) -> tuple:
    started, cpu = time.perf_counter(), time.process_time()
    objects = []
    for n in range(count):
        kind, value = value_of(n)
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{n:032x}",
                "name": value,
                "pattern": f"[{kind}:value = '{value}']",
                "pattern_type": "stix",
                "valid_from": "2026-11-20T12:00:00Z",
                "object_marking_refs": [
                    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
                ],
            }
        )
    printed = json.dumps({"type": "bundle", "objects": objects}, indent=4)
    return (
        "floor: json.dumps of hand-built dicts",
        count,
        time.perf_counter() - started,
        time.process_time() - cpu,
        len(printed),
    )


def process_row(label: str, folder: Path, url: str, argv: list[str] | None) -> tuple:
    """`warroom export` as a process of its own, or (argv None) only its start-up."""
    config = folder / "warroom.toml"
    config.write_text(
        f'[storage]\nurl = "{url}"\nauto_upgrade = false\n\n'
        + "".join(f'[[orgs]]\nid = "{o}"\nplatform = "console"\n\n' for o in ORGS)
        + f'[[sharing]]\norgs = {list(ORGS)!r}\nmax_tlp = "AMBER"\n'.replace("'", '"'),
        encoding="utf-8",
    )
    code = "import warroom.bot.cli as cli, sys; sys.exit(cli.main(sys.argv[1:]))"
    if argv is None:
        code = "import warroom.bot.cli"
    command = [sys.executable, "-c", code, *(argv or [])]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [part.replace("CONFIG", str(config)) for part in command],
        capture_output=True,
        check=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    return label, done.stdout.count('"pattern"') if argv else 0, wall, cpu, len(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observables", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'intel.db'}"
        upgrade(url)
        seed(url, args.observables)
        config = Config(
            storage=StorageConfig(url=url, auto_upgrade=False),
            orgs=tuple(OrgConfig(id=o, platform="console") for o in ORGS),
            sharing=(SharingConfig(orgs=ORGS, max_tlp=Tlp.AMBER),),
        )
        store = Store(url)
        rows = [
            timed("stix, the whole record", store, config, "stix", None),
            timed("stix --as-org cert", store, config, "stix", "cert"),
            timed("stix --stix-profile opencti", store, config, "stix", None, "opencti"),
            timed("misp, the whole record", store, config, "misp", None),
            timed("misp --as-org cert", store, config, "misp", "cert"),
            floor_row(args.observables),
        ]
        store.close()
        export = ["export", "INC-1", "-c", "CONFIG", "--format", "stix"]
        rows += [
            process_row("process: warroom export --format stix", Path(tmp), url, export),
            process_row("floor: python -c 'import warroom.bot.cli'", Path(tmp), url, None),
        ]
    print(
        f"warroom intel exports on SQLite, {args.observables:,} observables, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus"
    )
    print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())} (1, 5, 15 min)")
    print(f"| {'export':<41} | {'objects':>8} | {'seconds':>8} | {'cpu s':>6} | {'bytes':>11} |")
    print(f"|{'-' * 43}|{'-' * 10}|{'-' * 10}|{'-' * 8}|{'-' * 13}|")
    for name, count, wall, cpu, size in rows:
        print(f"| {name:<41} | {count:>8,} | {wall:>8.2f} | {cpu:>6.2f} | {size:>11,} |")


if __name__ == "__main__":
    main()
