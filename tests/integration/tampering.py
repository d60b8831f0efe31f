"""What someone with write access to the database does: change rows, then recompute every
hash after the change and the incident's head, so the chain alone looks whole again."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from warroom.bot.domain.checkpoint import Signed, sign
from warroom.storage.chain import entry_hash
from warroom.storage.chain_rows import HASHED_COLUMNS
from warroom.storage.models import GENESIS_HASH, TimelineEntry

# what an entry says, as its hash covers it (the chain fields are recomputed)
CONTENT = tuple(name for name in HASHED_COLUMNS if name not in ("seq", "prev_hash", "hash"))


def rows(engine: Engine, key: str = "INC-1") -> list[dict[str, Any]]:
    with Session(engine) as session:
        incident_id = _incident_id(engine, key)
        query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
        found = session.exec(query.order_by(col(TimelineEntry.seq))).all()
        return [e.model_dump() for e in found]


def rechain(engine: Engine, key: str = "INC-1") -> None:
    """Renumber the entries 1..n in seq order, recompute every hash and the head."""
    entries = rows(engine, key)
    prev = GENESIS_HASH
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE timelineentry SET seq = -seq WHERE incident_id = :i"),
            {"i": entries[0]["incident_id"] if entries else _incident_id(engine, key)},
        )
        for n, entry in enumerate(entries, start=1):
            entry["seq"] = n
            new = entry_hash(prev, SimpleNamespace(**entry), key)
            conn.execute(
                text(
                    "UPDATE timelineentry SET seq = :n, prev_hash = :p, hash = :h WHERE id = :id"
                ),
                {"n": n, "p": prev, "h": new, "id": entry["id"]},
            )
            prev = new
        conn.execute(
            text("UPDATE incident SET timeline_seq = :n, timeline_head = :h WHERE key = :k"),
            {"n": len(entries), "h": prev, "k": key},
        )


def run(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def edit_entry(engine: Engine, seq: int, new_text: str, key: str = "INC-1") -> None:
    run(engine, "UPDATE timelineentry SET text = :t WHERE seq = :s", t=new_text, s=seq)
    rechain(engine, key)


def cut_tail(engine: Engine, count: int, key: str = "INC-1") -> None:
    last = rows(engine, key)[-1]["seq"]
    run(engine, "DELETE FROM searchentry WHERE seq > :s", s=last - count)
    run(engine, "DELETE FROM timelineentry WHERE seq > :s", s=last - count)
    rechain(engine, key)


def insert_forged(engine: Engine, after_seq: int, key: str = "INC-1") -> None:
    """A forged note after `after_seq`, dated as that entry (so it reads as said then)."""
    model = next(e for e in rows(engine, key) if e["seq"] == after_seq)
    run(engine, "UPDATE timelineentry SET seq = seq + 1000 WHERE seq > :s", s=after_seq)
    forged = {k: model[k] for k in CONTENT} | {"text": "all clear, nothing was taken"}
    with Session(engine) as session:
        session.add(
            TimelineEntry(
                **forged,
                seq=after_seq + 1,
                incident_id=model["incident_id"],
                prev_hash="",
                hash="",
            )
        )
        session.commit()
    rechain(engine, key)


def swap(engine: Engine, first: int, second: int, key: str = "INC-1") -> None:
    """Entries `first` and `second` change places (their content moves, seqs stay)."""
    entries = {e["seq"]: e for e in rows(engine, key)}
    with Session(engine) as session:
        for seq, other in ((first, second), (second, first)):
            row = session.get(TimelineEntry, entries[seq]["id"])
            assert row is not None
            for name in CONTENT:
                setattr(row, name, entries[other][name])
            session.add(row)
        session.commit()
    rechain(engine, key)


def seq_of(engine: Engine, words: str, key: str = "INC-1") -> int:
    """The first entry whose text holds `words`."""
    return int(next(e["seq"] for e in rows(engine, key) if words in e["text"]))


# Every rewrite of the database the checkpoints must catch, and how `audit verify` names it.
# Each incident these run on is INC-1 at severity 2, with a note "rotated the leaked key"
# followed by an entry that says "blocked"; every source of checkpoints (console lines, a
# Slack channel's metadata, a Matrix room's events) is held against all of them.
REWRITES: dict[str, tuple[Callable[[Engine], None], str]] = {
    "rewritten": (
        lambda e: edit_entry(e, seq_of(e, "rotated the leaked"), "nothing happened"),
        "rewritten and the hashes recomputed",
    ),
    "cut tail": (lambda e: cut_tail(e, 3), "its tail was cut"),
    "forged": (lambda e: insert_forged(e, seq_of(e, "rotated the leaked")), "inserted (forged)"),
    "reordered": (
        lambda e: swap(e, seq_of(e, "rotated the leaked"), seq_of(e, "blocked")),
        "reordered",
    ),
    "title": (
        lambda e: run(e, "UPDATE incident SET title = 'Printer jam'"),
        "the incident row disagrees with its timeline: title 'Printer jam'",
    ),
    "severity": (
        lambda e: run(e, "UPDATE incident SET severity = 4"),
        "severity 4 (its timeline set 2)",
    ),
    "actor display": (
        lambda e: run(e, "UPDATE timelineentry SET actor_display = 'mallory' WHERE seq = 2"),
        "entry #2: altered: its hash does not match",
    ),
}


def replaced_signature(engine: Engine, kept: Sequence[Signed]) -> list[Signed]:
    """The first checkpoint kept with another signature in place of its own."""
    other = base64.b64encode(b"\x01" * 64).decode()
    return [dataclasses.replace(kept[0], signature=other), *kept[1:]]


def from_another_deployment(engine: Engine, kept: Sequence[Signed]) -> list[Signed]:
    """What was kept, and a checkpoint of the head signed by a key not the deployment's."""
    last = rows(engine)[-1]
    stranger = Ed25519PrivateKey.generate()
    forged = sign(stranger, incident="INC-1", seq=last["seq"], head=last["hash"], at=last["at"])
    return [*kept, forged]


# What someone does to the checkpoints an organisation kept, and how `audit verify` names it.
FORGERIES: dict[str, tuple[Callable[[Engine, Sequence[Signed]], list[Signed]], str]] = {
    "replaced signature": (replaced_signature, "bad signature"),
    "another deployment": (from_another_deployment, "another deployment's key"),
}


def _incident_id(engine: Engine, key: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT id FROM incident WHERE key = :k"), {"k": key}).scalar_one()
        )
