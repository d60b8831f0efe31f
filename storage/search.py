"""The archive's full-text index: written with each timeline entry, read by `search`.

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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, or_, text
from sqlalchemy.sql.elements import BindParameter, TextClause
from sqlmodel import Session, col, select

from warroom.bot.domain.redact import redacted
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.storage.models import Incident, IncidentOrg, SearchEntry, TimelineEntry

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
        inserted = connection.execute(_ADD_ENTRY, values)
        connection.execute(_ADD_TERMS["sqlite"], _terms(row, inserted.lastrowid))
    else:
        connection.execute(_ADD_PG, {**values, **_terms(row, None)})


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


@dataclass(frozen=True)
class Hit:
    """One matching row: which text of which incident, and how well it matched (higher is
    better on both databases)."""

    incident_id: int
    seq: int
    kind: str
    score: float


@dataclass(frozen=True)
class Reader:
    """What SQL may filter on for one reading organisation: the incidents it takes part in,
    and whose words up to which TLP the rule could show it (its own org and the bot's: all;
    a partner's: up to the agreement's cap, below AMBER+STRICT). The title (its TLP follows
    the incident's) is left to the rule."""

    org: str
    caps: Mapping[str, Tlp]  # partner org -> the agreement's cap


def words_of(query: str) -> list[str]:
    """The query's words as typed (whitespace apart), those with a letter or digit."""
    return [w for w in query.split() if any(c.isalnum() for c in w)]


class SearchRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(
        self,
        words: Sequence[str],
        reader: Reader,
        *,
        any_word: bool = False,
        titles_only: bool = False,
        since: datetime | None = None,
        states: Collection[str] = (),
        window: int = 200,
        offset: int = 0,
    ) -> tuple[list[Hit], bool]:
        """Of the `window` best full-text matches from `offset` on, those `reader` could be
        shown, best first, newest first on ties; and whether there may be more after them.
        Every word must match (`any_word`: one is enough)."""
        ranked = self._ranked(words, any_word, titles_only, window, offset)
        if not ranked:
            return [], False
        params: dict[str, Any] = {"reader": reader.org, "ids": list(ranked)}
        where = [_visible_clause(reader, params)]
        if since is not None:
            where.append("i.opened_at >= :since")
            params["since"] = since
        if states:
            where.append("i.state IN :states")
            params["states"] = list(states)
        query = _bound(text(_VISIBLE.format(where=" AND ".join(where))), params)
        rows = list(self.session.connection().execute(query, params))
        rows.sort(key=lambda r: (ranked[r.id], r.at, r.id), reverse=True)
        hits = [Hit(r.incident_id, r.seq, r.kind, ranked[r.id]) for r in rows]
        return hits, len(ranked) == window

    def _ranked(
        self, words: Sequence[str], any_word: bool, titles_only: bool, window: int, offset: int
    ) -> dict[int, float]:
        """The best full-text matches, visible or not: row id -> score (higher is better)."""
        if not words:
            return {}
        params: dict[str, Any] = {"window": window, "offset": offset}
        if self.session.get_bind().dialect.name == "sqlite":
            phrases = ['"' + w.replace('"', '""') + '"' for w in words]
            wanted = (" OR " if any_word else " ").join(phrases)
            params["q"] = f"title : ({wanted})" if titles_only else wanted
            statement = _SQLITE_RANKED
        else:
            terms = []
            for n, word in enumerate(words if any_word or titles_only else [" ".join(words)]):
                if titles_only:  # a quoted lexeme of the titles' weight
                    terms.append(f"to_tsquery('simple', :w{n})")
                    params[f"w{n}"] = "'" + word.replace("\\", " ").replace("'", "''") + "':A"
                else:
                    terms.append(f"plainto_tsquery('simple', :w{n})")
                    params[f"w{n}"] = word
            joiner = " || " if any_word else " && "
            statement = _PG_RANKED.format(query=joiner.join(terms))
        rows = self.session.connection().execute(text(statement), params)
        return {int(r.id): float(r.score) for r in rows}

    def title_counts(self, words: Sequence[str], most: int) -> dict[str, int]:
        """In how many titles each word is, counted up to `most` (where it stops telling)."""
        counts = {}
        connection = self.session.connection()
        for word in words:
            if connection.dialect.name == "sqlite":
                found = connection.execute(_SQLITE_TITLE_COUNT, {"term": word}).scalar()
            else:
                lexeme = "'" + word.replace("\\", " ").replace("'", "''") + "':A"
                found = connection.execute(_PG_TITLE_COUNT, {"q": lexeme, "most": most}).scalar()
            counts[word] = min(int(found or 0), most)
        return counts

    def incidents(self, ids: Collection[int]) -> dict[int, Incident]:
        found = self.session.exec(select(Incident).where(col(Incident.id).in_(ids)))
        return {i.id: i for i in found if i.id is not None}

    def orgs_of(self, ids: Collection[int]) -> dict[int, list[str]]:
        """Each incident's organisations, in the order they joined."""
        query = (
            select(IncidentOrg.incident_id, IncidentOrg.org)
            .where(col(IncidentOrg.incident_id).in_(ids))
            .order_by(col(IncidentOrg.joined_at))
        )
        found: dict[int, list[str]] = {}
        for incident_id, org in self.session.exec(query):
            found.setdefault(incident_id, []).append(org)
        return found

    def entries_at(self, places: Collection[tuple[int, int]]) -> Sequence[TimelineEntry]:
        """Entries by (incident id, seq)."""
        if not places:
            return []
        # ORed pairs: each an index lookup on SQLite too (a row-value IN scans the table)
        at = or_(
            *(
                (col(TimelineEntry.incident_id) == incident_id) & (col(TimelineEntry.seq) == seq)
                for incident_id, seq in places
            )
        )
        return self.session.exec(select(TimelineEntry).where(at)).all()

    def entries_of_kind(
        self, ids: Collection[int], kinds: Collection[str]
    ) -> Sequence[TimelineEntry]:
        """The incidents' entries of `kinds` (edits, resolves), in order."""
        query = (
            select(TimelineEntry)
            .where(col(TimelineEntry.incident_id).in_(ids), col(TimelineEntry.kind).in_(kinds))
            .order_by(col(TimelineEntry.incident_id), col(TimelineEntry.seq))
        )
        return self.session.exec(query).all()


def _visible_clause(reader: Reader, params: dict[str, Any]) -> str:
    """The rule's part SQL can ask (the rest is asked in Python, of what this lets by)."""
    shown = [f"e.kind = '{TITLE_KIND}'", "e.org = :reader", "e.org = ''"]
    by_cap: dict[Tlp, list[str]] = {}
    for org, cap in reader.caps.items():
        if org != reader.org:
            by_cap.setdefault(min(cap, Tlp.AMBER), []).append(org)
    for n, (cap, orgs) in enumerate(sorted(by_cap.items())):
        shown.append(f"(e.org IN :partners{n} AND e.tlp <= {int(cap)})")
        params[f"partners{n}"] = orgs
    return "(" + " OR ".join(shown) + ")"


def _bound(query: TextClause, params: Mapping[str, Any]) -> TextClause:
    lists: list[BindParameter[Any]] = [
        bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list)
    ]
    dated = [
        bindparam(k, type_=SearchEntry.__table__.c.at.type)  # type: ignore[attr-defined]
        for k, v in params.items()
        if isinstance(v, datetime)
    ]
    return query.bindparams(*lists, *dated)


_SQLITE_RANKED = (
    f"SELECT rowid AS id, -bm25({TERMS}) AS score FROM {TERMS} WHERE {TERMS} MATCH :q "
    "ORDER BY rank LIMIT :window OFFSET :offset"
)
_PG_RANKED = (
    # equal weights: titles and entries rank alike, as on SQLite
    "SELECT t.id, ts_rank('{{1, 1, 1, 1}}', t.terms, q.q) AS score "
    f"FROM (SELECT {{query}} AS q) q JOIN {TERMS} t ON t.terms @@ q.q "
    "ORDER BY score DESC, t.id DESC LIMIT :window OFFSET :offset"
)
_SQLITE_TITLE_COUNT = text(f"SELECT doc FROM {TERMS}_vocab WHERE term = :term AND col = 'title'")
_PG_TITLE_COUNT = text(
    f"SELECT count(*) FROM (SELECT 1 FROM {TERMS} WHERE terms @@ to_tsquery('simple', :q) "
    "LIMIT :most) found"
)
_VISIBLE = (
    "SELECT e.id, e.incident_id, e.seq, e.kind, e.at FROM searchentry e "
    "JOIN incidentorg p ON p.incident_id = e.incident_id AND p.org = :reader "
    "JOIN incident i ON i.id = e.incident_id "
    "WHERE e.id IN :ids AND {where}"
)
