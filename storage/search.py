"""Reading the archive's full-text index (storage/search_index.py writes it): the best
matches first, then those a reader could be shown, in SQL as far as the disclosure rule
allows; the rest of the rule is asked by bot/operations/search.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text, tuple_
from sqlalchemy.sql.elements import BindParameter, TextClause
from sqlmodel import Session, col, select

from warroom.bot.domain.tlp import Tlp
from warroom.storage.models import Incident, IncidentOrg, SearchEntry, TimelineEntry
from warroom.storage.search_index import TERMS, TITLE_KIND

__all__ = ["TITLE_KIND", "Hit", "Reader", "SearchRepo", "words_of"]


@dataclass(frozen=True)
class Hit:
    """One matching row: which text of which incident, and how well it matched (higher is
    better on both databases)."""

    incident_id: int
    seq: int
    kind: str
    score: float
    row_id: int  # the index row's, by which its timeline entry is read


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
        hits = [Hit(r.incident_id, r.seq, r.kind, ranked[r.id], r.id) for r in rows]
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

    def counts(self, words: Sequence[str], most: int) -> dict[str, int]:
        """In how many indexed texts each word is, counted up to `most` (where a word stops
        telling one incident from another)."""
        connection = self.session.connection()
        if connection.dialect.name != "sqlite":  # every word in one round trip
            found = connection.execute(_PG_COUNTS, {"words": list(words), "most": most})
            return {word: min(int(n or 0), most) for word, n in found}
        counts = {}
        for word in words:
            if word.isascii() and word.isalnum():
                # the rows that match it, counted no further than `most`: the vocabulary
                # table reads a common word's whole list (tens of ms) for the same count
                # (the tokenizer folds an ASCII word to itself, as the vocabulary holds it)
                matches = {"q": f'"{word}"', "most": most}
                n = connection.execute(_SQLITE_MATCHES, matches).scalar()
            else:
                n = connection.execute(_SQLITE_COUNT, {"term": word}).scalar()
            counts[word] = min(int(n or 0), most)
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

    def page_entries(
        self, ids: Collection[int], row_ids: Collection[int], kinds: Collection[str]
    ) -> Sequence[TimelineEntry]:
        """Of the incidents `ids`, in order: the entries of the index rows `row_ids`, the
        first entries (who opened each) and the entries of `kinds` (edits, resolves). One
        query, each incident's timeline read by its index, for what three would read."""
        if not ids:
            return []
        found = (
            select(col(SearchEntry.incident_id), col(SearchEntry.seq))
            .where(col(SearchEntry.id).in_(row_ids))
            .subquery()
        )
        query = (
            select(TimelineEntry)
            .where(
                col(TimelineEntry.incident_id).in_(ids),
                (col(TimelineEntry.seq) == 1)
                | col(TimelineEntry.kind).in_(kinds)
                | tuple_(col(TimelineEntry.incident_id), col(TimelineEntry.seq)).in_(
                    select(found.c.incident_id, found.c.seq)
                ),
            )
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
_SQLITE_COUNT = text(f"SELECT doc FROM {TERMS}_vocab WHERE term = :term")
_SQLITE_MATCHES = text(
    f"SELECT count(*) FROM (SELECT 1 FROM {TERMS} WHERE {TERMS} MATCH :q LIMIT :most) found"
)
_PG_COUNTS = text(
    "SELECT w.word, (SELECT count(*) FROM (SELECT 1 FROM "
    f"{TERMS} WHERE terms @@ plainto_tsquery('simple', w.word) LIMIT :most) found) "
    "FROM unnest(CAST(:words AS text[])) AS w(word)"
)
# CROSS JOIN: SQLite then starts from the few rows matched (by id) instead of every
# incident the reader took part in, which its planner, with no statistics, may pick;
# PostgreSQL plans a CROSS JOIN as it plans any inner join.
_VISIBLE = (
    "SELECT e.id, e.incident_id, e.seq, e.kind, e.at FROM searchentry e "
    "CROSS JOIN incidentorg p CROSS JOIN incident i "
    "WHERE e.id IN :ids AND p.incident_id = e.incident_id AND p.org = :reader "
    "AND i.id = e.incident_id AND {where}"
)
