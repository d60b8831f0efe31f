"""Writing the archive's full-text index, with each timeline entry (storage/search.py reads it).

Every entry that may carry someone's words gets a `SearchEntry` row in the transaction that
appends it, so the index never lags or doubles: the `opened` entry stands for the title, the
others for their own text. Only the kinds in `UNSEARCHED` (settings and the bot's own
bookkeeping) are left out, so a new kind of entry is indexed without a change here. The
words, with secrets redacted, go into `searchterms`: an FTS5 table whose rowid is the row's
id on SQLite, a tsvector with a GIN index on PostgreSQL (both tokenise without stemming or
stop words, so "the" and "rotated" match as typed, in any language).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, text

from warroom.bot.domain.redact import redacted
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.storage.models import Incident, SearchEntry
from warroom.storage.prepared import Prepared

# Kinds whose text is a setting or the bot's bookkeeping, never anyone's words.
UNSEARCHED = frozenset(
    {
        EntryKind.STATE,
        EntryKind.SEVERITY,
        EntryKind.TLP,
        EntryKind.ROLE,
        EntryKind.ORG,
        EntryKind.INVITE,
        EntryKind.CLOSED,
        EntryKind.DELETED,
        EntryKind.RELAY,
        EntryKind.REMINDER,
        EntryKind.ESCALATION,
        EntryKind.ESCALATION_NOTICE,
        EntryKind.PLAYBOOK,
    }
)
TITLE_KIND = EntryKind.OPENED.value  # the row that stands for the incident's title
TERMS = "searchterms"
# what storage/migrations creates for the words beside the models (FTS5 adds shadow tables)
_TERMS_TABLES = re.compile(rf"^{TERMS}(_(data|idx|content|docsize|config|vocab))?$")
# the formats bot/operations/visibility.py reads: an edit names the entry it edits, a
# highlight the one it highlights
EDIT_OF = re.compile(r"^edited #(\d+): ")
PIN_OF = re.compile(r"^📌 #(\d+) ")


def outside_the_models(name: str) -> bool:
    """A table of the index that the models do not describe (autogenerate leaves it)."""
    return _TERMS_TABLES.match(name) is not None


def searchable(words: str) -> str:
    """What is indexed of a text: no secret can be found by searching for it (the cache
    the views use: an entry's answer, which shows it redacted, scans it no more)."""
    return redacted(words)


@dataclass
class Indexed:
    """One row of the index about to be written."""

    incident_id: int
    seq: int
    follows: int
    kind: str
    org: str
    tlp: int
    at: datetime
    body: str
    id: int | None = None


def indexed(
    incident_id: int,
    title: str,
    *,
    seq: int,
    at: datetime,
    kind: str,
    org: str,
    words: str,
    tlp: str,
) -> Indexed | None:
    """The row an appended entry gets, or None for a kind without anyone's words."""
    if kind in UNSEARCHED:
        return None
    follows = seq
    if kind == EntryKind.PINNED and (pinned := PIN_OF.match(words)):
        follows = int(pinned.group(1))
    body = searchable(title if kind == TITLE_KIND else words)
    return Indexed(incident_id, seq, follows, kind, org, _rank(tlp), at, body)


def edit_target(kind: str, words: str) -> int | None:
    """The seq an edit edits: its rows (and their highlights') take the edit's TLP."""
    edited = EDIT_OF.match(words) if kind == EntryKind.EDITED else None
    return int(edited.group(1)) if edited else None


def index_entry(
    connection: Connection,
    incident: Incident,
    *,
    seq: int,
    at: datetime,
    kind: str,
    org: str,
    words: str,
    tlp: str,
) -> None:
    """Index one appended entry (called by TimelineRepo.append, in its transaction)."""
    assert incident.id is not None
    row = indexed(
        incident.id, incident.title, seq=seq, at=at, kind=kind, org=org, words=words, tlp=tlp
    )
    if row is None:
        return
    target = edit_target(kind, words)
    if target is not None:
        retag = {"incident_id": incident.id, "follows": target, "tlp": row.tlp}
        connection.execute(_RETAG, retag)
    values = vars(row)
    if connection.dialect.name == "sqlite":
        inserted = _ADD_ENTRY_NOW.one(connection, values)
        _ADD_TERMS_NOW.one(connection, _terms(row, inserted.lastrowid))
    else:
        _ADD_PG_NOW.one(connection, {**values, **_terms(row, None)})


def write_rows(connection: Connection, rows: Sequence[Indexed]) -> None:
    """Write many rows at once, ids given here (the backfill, the bench): what
    `index_entry` writes, row by row."""
    if not rows:
        return
    first = connection.execute(text("SELECT coalesce(max(id), 0) + 1 FROM searchentry"))
    start = int(first.scalar_one())
    for n, row in enumerate(rows):
        row.id = start + n
    connection.execute(_ADD_ENTRY_WITH_ID, [vars(r) for r in rows])
    sqlite = connection.dialect.name == "sqlite"
    terms = _ADD_TERMS["sqlite" if sqlite else "postgresql"]
    connection.execute(terms, [_terms(r, r.id) for r in rows])
    if not sqlite:
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('searchentry', 'id'), max(id)) "
                "FROM searchentry"
            )
        )


class Stored(Protocol):
    """What the backfill reads of a stored entry."""

    incident_id: int
    seq: int
    at: datetime
    kind: str
    actor_org: str
    text: str
    tlp: str


def backfill_rows(entries: Iterable[Stored], titles: Mapping[int, str]) -> list[Indexed]:
    """The rows entries already stored get, as if each had been indexed when appended
    (`entries` in seq order within each incident)."""
    rows: list[Indexed] = []
    by_follows: dict[tuple[int, int], list[Indexed]] = {}
    for e in entries:
        words, incident = e.text, e.incident_id
        target = edit_target(e.kind, words)
        row = indexed(
            incident,
            titles[incident],
            seq=e.seq,
            at=e.at,
            kind=e.kind,
            org=e.actor_org,
            words=words,
            tlp=e.tlp,
        )
        if row is None:
            continue
        if target is not None:
            for earlier in by_follows.get((incident, target), []):
                earlier.tlp = row.tlp
        by_follows.setdefault((incident, row.follows), []).append(row)
        rows.append(row)
    return rows


def _rank(tlp: str) -> int:
    try:
        return int(Tlp.parse(tlp))
    except ValueError:
        return int(Tlp.RED)  # as visibility.parse_tlp reads an unknown marking


_AT = bindparam("at", type_=SearchEntry.__table__.c.at.type)  # type: ignore[attr-defined]
_RETAG = text(
    "UPDATE searchentry SET tlp = :tlp WHERE incident_id = :incident_id AND follows = :follows"
)
_COLUMNS = "incident_id, seq, follows, kind, org, tlp, at"
_VALUES = ":incident_id, :seq, :follows, :kind, :org, :tlp, :at"
_ADD_ENTRY = text(f"INSERT INTO searchentry ({_COLUMNS}) VALUES ({_VALUES})").bindparams(_AT)
_ADD_ENTRY_WITH_ID = text(
    f"INSERT INTO searchentry (id, {_COLUMNS}) VALUES (:id, {_VALUES})"
).bindparams(_AT)
# Titles and entries are indexed apart (FTS5 columns; tsvector weights A and D), so the
# suggestions at `open` can look at titles alone, cheaply.
_ADD_TERMS = {
    "sqlite": text(f"INSERT INTO {TERMS} (rowid, title, body) VALUES (:id, :title, :body)"),
    "postgresql": text(
        f"INSERT INTO {TERMS} (id, terms) "
        "VALUES (:id, setweight(to_tsvector('simple', :words), :weight))"
    ),
}
_ADD_PG = text(
    f"WITH added AS (INSERT INTO searchentry ({_COLUMNS}) VALUES ({_VALUES}) RETURNING id) "
    f"INSERT INTO {TERMS} (id, terms) "
    "SELECT id, setweight(to_tsvector('simple', :words), :weight) FROM added"
).bindparams(_AT)


def _terms(row: Indexed, row_id: int | None) -> dict[str, Any]:
    title = row.kind == TITLE_KIND
    return {
        "id": row_id,
        "title": row.body if title else "",
        "body": "" if title else row.body,
        "words": row.body,
        "weight": "A" if title else "D",
    }


# what `index_entry` runs with each appended entry, handed to the driver at once
_ADD_ENTRY_NOW = Prepared(_ADD_ENTRY)
_ADD_TERMS_NOW = Prepared(_ADD_TERMS["sqlite"])
_ADD_PG_NOW = Prepared(_ADD_PG)
