"""How fast `search` answers over a big archive, on SQLite and PostgreSQL.

Builds 100,000 incidents with 1,000,000 timeline entries across six organisations under
sharing agreements with different caps, in bulk (not through the commands) but with the
index rows the code writes (`storage.search.indexed`), then times a few hundred queries of
varied words, each by a random organisation:

- `search`: the whole operation a `search` command runs (bot/operations/search.py: the SQL
  narrowing, the rule asked of every candidate, snippets), in its own transaction;
- `similar at open`: the suggestions `open` looks for, by an archived incident's title;
- the floor: the same words as a raw full-text query for the ten best rows, with no
  visibility at all (FTS5 `MATCH ... ORDER BY rank`, or `@@` with `ts_rank`).

    python bench/search.py [--incidents 100000] [--entries 1000000] [--queries 300]
                           [--url postgresql+psycopg://...]

Without --url it runs on a temporary SQLite file; a PostgreSQL URL gets a schema of its own
for the run, dropped afterwards, and is vacuumed after the load as autovacuum would. The
texts hold no secrets (a sample is checked to index exactly as `indexed` would), so the bulk
load skips the redaction scan.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations import search as archive
from warroom.storage.engine import make_engine
from warroom.storage.migrate import upgrade
from warroom.storage.models import Incident, IncidentOrg, TimelineEntry
from warroom.storage.search_index import Indexed, indexed, write_rows
from warroom.storage.store import Store

ORGS = ("acme", "cert", "cloud", "bank", "telco", "gov")
SHARING = (
    SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.RED),
    SharingConfig(orgs=("acme", "cloud"), max_tlp=Tlp.GREEN),
    SharingConfig(orgs=("cert", "cloud"), max_tlp=Tlp.AMBER),
    SharingConfig(orgs=("cert", "bank"), max_tlp=Tlp.AMBER),
    SharingConfig(orgs=("cert", "telco"), max_tlp=Tlp.GREEN),
    SharingConfig(orgs=("cert", "gov"), max_tlp=Tlp.AMBER),
    SharingConfig(orgs=("bank", "gov"), max_tlp=Tlp.CLEAR),
)
PARTNERS = {o: [p for s in SHARING if o in s.orgs for p in s.orgs if p != o] for o in ORGS}
MARKINGS = [("", 70), ("TLP:GREEN ", 10), ("TLP:CLEAR ", 5), ("TLP:AMBER+STRICT ", 7)]
MARKINGS += [("TLP:RED ", 8)]
KINDS = [("message", 60), ("note", 25), ("update", 10), ("task", 5)]
WORDS = 20_000  # the vocabulary; word n is drawn with weight 1/(n+1) (Zipf)
COMMON = 100  # the most frequent words (like "the", "we", "host") are not queried
BATCH = 2_000  # incidents loaded per round


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    seen: set[str] = set()
    while len(seen) < WORDS:
        seen.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))))
    # from a sorted list: a set's order changes with the process's hash seed
    return sorted(sorted(seen), key=lambda w: rng.random())


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def build(url: str, incidents: int, entries: int, rng: random.Random) -> list[str]:
    """Load the archive; the titles of a sample of incidents (for `similar`)."""
    words = vocabulary(rng)
    weights = [1 / (n + 1) for n in range(WORDS)]
    per_incident = entries // incidents
    start = datetime(2024, 1, 1, tzinfo=UTC)
    engine = make_engine(url)
    titles: list[str] = []
    checked = 0
    with engine.begin() as conn:
        for first in range(1, incidents + 1, BATCH):
            numbers = range(first, min(incidents, first + BATCH - 1) + 1)
            said = rng.choices(words, weights=weights, k=len(numbers) * (per_incident + 1) * 12)
            cursor = iter(said)
            rows, orgs, timeline, index = [], [], [], []
            for n in numbers:
                opened = start + timedelta(minutes=7 * n)
                home = rng.choice(ORGS)
                joined = [home, *rng.sample(PARTNERS[home], k=min(2, len(PARTNERS[home])))]
                joined = joined[: rng.randint(1, 3)]
                title = " ".join(next(cursor) for _ in range(rng.randint(3, 6)))
                state = "closed" if n < incidents * 0.98 else "investigating"
                rows.append(
                    {
                        "id": n,
                        "number": n,
                        "key": f"INC-{n}",
                        "title": title,
                        "severity": rng.randint(1, 4),
                        "state": state,
                        "tlp": rng.choice(["AMBER", "GREEN", "AMBER", "CLEAR", "RED"]),
                        "exercise": False,
                        "summary": "",
                        "opened_at": opened,
                        "resolved_at": opened + timedelta(hours=rng.randint(1, 72)),
                        "timeline_seq": per_incident,
                        "timeline_head": "0" * 64,
                    }
                )
                if len(titles) < 100 and rng.random() < 0.002:
                    titles.append(title)
                orgs += [{"incident_id": n, "org": o, "joined_at": opened} for o in joined]
                for seq in range(1, per_incident + 1):
                    kind = "opened" if seq == 1 else weighted(rng, KINDS)
                    marking = "" if seq == 1 else weighted(rng, MARKINGS)
                    words_said = " ".join(next(cursor) for _ in range(rng.randint(6, 14)))
                    body = title if seq == 1 else marking + words_said
                    tlp = Tlp.parse(marking.strip()) if marking else Tlp.parse(rows[-1]["tlp"])
                    org = home if seq == 1 else rng.choice(joined)
                    at = opened + timedelta(minutes=seq)
                    timeline.append(
                        {
                            "incident_id": n,
                            "seq": seq,
                            "at": at,
                            "kind": kind,
                            "actor_platform": "console",
                            "actor_workspace": org,
                            "actor_user_id": f"{org}-person",
                            "actor_display": f"{org}-person",
                            "actor_org": org,
                            "text": body,
                            "tlp": tlp.label,
                            "source_event_id": "",
                            "prev_hash": "0" * 64,
                            "hash": "0" * 64,
                            "phrase": "",
                        }
                    )
                    row = Indexed(n, seq, seq, kind, org, int(tlp), at, body)
                    if checked < 2_000:  # the bulk rows are the ones the code writes
                        checked += 1
                        same = indexed(
                            n,
                            title,
                            seq=seq,
                            at=at,
                            kind=kind,
                            org=org,
                            words=body,
                            tlp=tlp.label,
                        )
                        assert same == row, (same, row)
                    index.append(row)
            conn.execute(insert(Incident), rows)
            conn.execute(insert(IncidentOrg), orgs)
            conn.execute(insert(TimelineEntry), timeline)
            write_rows(conn, index)
            if first % 20_000 == 1:
                print(f"  loaded {first + len(numbers) - 1:,} incidents", file=sys.stderr)
    engine.dispose()
    if not url.startswith("sqlite"):
        settle(url)
    return titles


def settle(url: str) -> None:
    """What autovacuum does to a live PostgreSQL database, done at once after the bulk load:
    statistics, and the GIN index's pending list merged into the index (a fresh list of a
    few MB is scanned by every query until then, and would be timed instead of search)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def queries(rng: random.Random, words: list[str], count: int) -> list[tuple[str, list[str]]]:
    """(reader, words): one to three words, ranks spread evenly on a log scale past the
    common ones, so rare and frequent words both come up."""
    asked = []
    for _ in range(count):
        k = weighted(rng, [("1", 6), ("2", 3), ("3", 1)])
        picked = [words[int(COMMON * (WORDS / COMMON) ** rng.random()) - 1] for _ in range(int(k))]
        asked.append((rng.choice(ORGS), picked))
    return asked


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(samples: list[float], work: object) -> object:
    begun = time.perf_counter()
    result = work()  # type: ignore[operator]
    samples.append(time.perf_counter() - begun)
    return result


def floor_query(sqlite: bool) -> str:
    if sqlite:
        return "SELECT rowid FROM searchterms WHERE searchterms MATCH :q ORDER BY rank LIMIT 10"
    return (
        "SELECT id FROM searchterms, plainto_tsquery('simple', :q) q WHERE terms @@ q "
        "ORDER BY ts_rank(terms, q) DESC LIMIT 10"
    )


def measure(
    url: str,
    asked: list[tuple[str, list[str]]],
    warm_up: list[tuple[str, list[str]]],
    titles: list[str],
) -> None:
    config = Config(
        storage=StorageConfig(url=url, auto_upgrade=False),
        orgs=tuple(OrgConfig(id=o, platform="console", workspace=o) for o in ORGS),
        sharing=SHARING,
    )
    store = Store(url)
    sqlite = url.startswith("sqlite")
    full: list[float] = []
    floor: list[float] = []
    similar: list[float] = []
    found = 0
    for reader, words in warm_up:  # other words: the measured ones find cold caches
        store.transaction_sync(lambda uow, r=reader, w=words: archive.search(uow, config, r, w))
    for reader, words in asked:
        shown = timed(
            full,
            lambda r=reader, w=words: store.transaction_sync(
                lambda uow: archive.search(uow, config, r, w)
            ),
        )
        found += len(shown)  # type: ignore[arg-type]
        query = " ".join(f'"{w}"' for w in words) if sqlite else " ".join(words)
        timed(
            floor,
            lambda q=query: store.transaction_sync(
                lambda uow: (
                    uow.session.connection()
                    .execute(text(floor_query(sqlite)), {"q": q})
                    .fetchall()
                )
            ),
        )
    backend = "SQLite" if sqlite else "PostgreSQL"
    print(f"\n{backend}: {len(asked)} queries, {found / len(asked):.1f} incidents found each")
    print(f"{'what':<34} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    show("search (rule, snippets)", full)
    show("floor: raw full-text top 10", floor)
    for n, title in enumerate(titles):
        reader = ORGS[n % len(ORGS)]
        timed(
            similar,
            lambda t=title, r=reader: store.transaction_sync(
                lambda uow: archive.similar(uow, config, r, t)
            ),
        )
    show("similar at open (by title)", similar)
    store.close()


def show(name: str, samples: list[float]) -> None:
    if samples:
        p50, p99 = percentile(samples, 50) * 1000, percentile(samples, 99) * 1000
        high = max(samples) * 1000
        print(f"{name:<34} {len(samples):>5} {p50:>8.2f} {p99:>8.2f} {high:>8.2f}", flush=True)


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/search.db"
        return
    schema = f"bench_search_{uuid.uuid4().hex[:8]}"
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--url", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with database(args.url) as url:
        upgrade(url)
        begun = time.perf_counter()
        titles = build(url, args.incidents, args.entries, rng)
        print(
            f"built {args.incidents:,} incidents, {args.entries:,} entries "
            f"in {time.perf_counter() - begun:.0f} s",
            file=sys.stderr,
        )
        words = vocabulary(random.Random(args.seed))
        asked = queries(random.Random(args.seed), words, args.queries)
        warm_up = queries(random.Random(args.seed + 1), words, 30)
        measure(url, asked, warm_up, titles)


if __name__ == "__main__":
    main()
