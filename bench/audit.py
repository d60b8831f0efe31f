"""How long signing a checkpoint takes, and `audit verify` of a long timeline on SQLite.

    python bench/audit.py [--signs 5000] [--entries 1000000]

Signing: p50/p99 of one checkpoint (canonical JSON and the Ed25519 signature), beside its
floor, the canonical JSON alone. Verify: one incident of `--entries` entries, built with raw
inserts (hashes made the way the bot makes them), checked with `audit verify` (chain walk,
incident row, no checkpoints file); its floor is a raw sqlite3 read of the same rows with
hashlib over each, in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from warroom.bot.domain.checkpoint import Statement, sign
from warroom.bot.operations.audit import verify
from warroom.storage.chain import entry_hash
from warroom.storage.migrate import upgrade
from warroom.storage.models import GENESIS_HASH
from warroom.storage.store import Store

COLUMNS = (
    "incident_id, seq, at, kind, actor_platform, actor_workspace, actor_user_id, "
    "actor_display, actor_org, text, tlp, source_event_id, phrase, hash_version, prev_hash, hash"
)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_sign(count: int) -> tuple[list[float], list[float]]:
    key = Ed25519PrivateKey.generate()
    at = datetime.now(UTC)
    signing, floor = [], []
    for n in range(count):
        head = hashlib.sha256(str(n).encode()).hexdigest()
        start = time.perf_counter()
        sign(key, incident="INC-1", seq=n, head=head, at=at)
        signing.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        Statement("INC-1", n, head, at.isoformat(), "0" * 16).canonical()
        floor.append((time.perf_counter() - start) * 1000)
    return signing, floor


def build(path: Path, entries: int) -> None:
    """One incident of `entries` notes, inserted raw, hashed as the bot hashes them."""
    url = f"sqlite:///{path}"
    upgrade(url)
    db = sqlite3.connect(path)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    prev = GENESIS_HASH
    rows = []
    for seq in range(1, entries + 1):
        at = start + timedelta(milliseconds=seq)
        entry = SimpleNamespace(
            seq=seq,
            at=at,
            kind="note",
            actor_platform="console",
            actor_workspace="local",
            actor_user_id="alice",
            actor_display="Alice",
            actor_org="acme",
            text=f"note number {seq} about the leaked key",
            tlp="AMBER",
            source_event_id=f"e{seq}",
            phrase="",
            hash_version=2,
        )
        digest = entry_hash(prev, entry, "INC-1")
        stored_at = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        rows.append(
            (1, seq, stored_at, "note", "console", "local", "alice", "Alice", "acme",
             entry.text, "AMBER", entry.source_event_id, "", 2, prev, digest)
        )  # fmt: skip
        prev = digest
    db.execute(
        "INSERT INTO incident (id, number, key, title, severity, state, tlp, exercise, summary,"
        " opened_at, timeline_seq, timeline_head) VALUES (1, 1, 'INC-1', 'Bench', 2,"
        " 'investigating', 'AMBER', 0, '', ?, ?, ?)",
        (start.strftime("%Y-%m-%d %H:%M:%S.%f"), entries, prev),
    )
    db.executemany(f"INSERT INTO timelineentry ({COLUMNS}) VALUES ({','.join('?' * 16)})", rows)
    db.commit()
    db.close()


def floor_read(path: Path) -> float:
    """Raw sqlite3: read the rows in seq order and SHA-256 the previous hash with each."""
    start = time.perf_counter()
    db = sqlite3.connect(path)
    query = f"SELECT {COLUMNS} FROM timelineentry WHERE incident_id = 1 ORDER BY seq"
    for row in db.execute(query):
        digest = hashlib.sha256(row[14].encode("ascii"))
        digest.update("|".join(map(str, row[:14])).encode("utf-8"))
        digest.hexdigest()
    db.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signs", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    signing, floor = bench_sign(args.signs)
    print("| what | count | p50 | p99 | floor p50 / p99 (canonical JSON only) |")
    print("|---|---|---|---|---|")
    print(
        f"| sign a checkpoint | {args.signs} | {statistics.median(signing):.3f} ms | "
        f"{percentile(signing, 0.99):.3f} ms | {statistics.median(floor):.4f} ms / "
        f"{percentile(floor, 0.99):.4f} ms |"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        began = time.perf_counter()
        build(path, args.entries)
        built = time.perf_counter() - began
        store = Store(f"sqlite:///{path}")
        start = time.perf_counter()
        checked, problems = store.transaction_sync(lambda uow: verify(uow, "INC-1"))
        took = time.perf_counter() - start
        store.close()
        assert checked == args.entries and not problems, problems[:3]
        raw = floor_read(path)
    print()
    print("| what | entries | time | floor (raw sqlite3 read + hashlib) | built in |")
    print("|---|---|---|---|---|")
    print(f"| audit verify | {args.entries:,} | {took:.1f} s | {raw:.1f} s | {built:.1f} s |")


if __name__ == "__main__":
    main()
