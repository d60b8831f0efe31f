"""The archive as one organisation may see it: `search`, and similar incidents at `open`.

SQL narrows the rows to what the rule could show (storage/search.py); each candidate is
then asked of `Visibility`, so what is found is exactly what `export --as-org` would show:
an incident only if the reader takes part in it, a text only if the rule shows it there,
the title or, where that is withheld, the withheld-title line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Sharing, Where
from warroom.bot.domain.sharing import agreement_cap
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DONE_STATES, EntryKind
from warroom.bot.operations.visibility import Visibility, edited_to
from warroom.storage.models import Incident, TimelineEntry
from warroom.storage.search import TITLE_KIND, Hit, Reader, words_of
from warroom.storage.store import UnitOfWork

FIRST_WINDOW = 400  # full-text matches read first; each further window is four times longer
PAGE_PER_RESULT = 3  # candidates whose incidents are read at once, per result wanted
SNIPPET_CHARS = 160
QUOTES = "\"'`()[]{}<>.,;:!?"
SUGGESTED = 3
TITLE_WORD_CHARS = 3  # shorter words of a title say little about what it is
COMMON_WORD = 1000  # a word in this many texts or more says little too
TELLING_WORDS = 3


@dataclass(frozen=True)
class Found:
    """An incident as the reader may see it, with the best text of it that matched."""

    incident: Incident
    title: str  # `INC-1: title`, or the withheld-title line
    snippet: str | None  # None when only the title matched
    tlp: Tlp  # the highest TLP of what is shown
    resolved: str | None = None  # its resolve entry, where it is visible (suggestions)


def reader(config: Config, org: str) -> Reader:
    caps = {}
    for other in config.orgs:
        cap = agreement_cap(config.sharing, other.id, org)
        if other.id != org and cap is not None:
            caps[other.id] = cap
    return Reader(org, caps)


def search(
    uow: UnitOfWork,
    config: Config,
    org: str,
    words: Sequence[str],
    *,
    since: datetime | None = None,
    limit: int = 10,
) -> list[Found]:
    """The `limit` incidents that match every word best, as `org` may see them."""
    return _found(uow, config, org, words, limit=limit, since=since)


def similar(uow: UnitOfWork, config: Config, org: str, title: str) -> list[Found]:
    """Up to three past (resolved or closed) incidents `org` may see whose titles share the
    most telling words of `title` (the rarest in the archive, common ones left out: they
    say little, and would make a big archive's query long), with how each ended."""
    words = {w.lower() for w in words_of(title) if len(w) >= TITLE_WORD_CHARS and w.isalnum()}
    counts = uow.search.counts(sorted(words), COMMON_WORD)
    telling = sorted((n, w) for w, n in counts.items() if 0 < n < COMMON_WORD)
    if not telling:
        return []
    return _found(
        uow,
        config,
        org,
        [w for _, w in telling[:TELLING_WORDS]],
        limit=SUGGESTED,
        any_word=True,
        titles_only=True,
        states=DONE_STATES,
    )


def _found(
    uow: UnitOfWork,
    config: Config,
    org: str,
    words: Sequence[str],
    *,
    limit: int,
    since: datetime | None = None,
    any_word: bool = False,
    titles_only: bool = False,
    states: Collection[str] = (),
) -> list[Found]:
    """Full-text matches, best first, in windows that grow until `limit` incidents are
    found or none are left: the common case reads one small window, none is left out."""
    who = reader(config, org)
    found: dict[int, Found] = {}
    offset, window, more = 0, FIRST_WINDOW, True
    while more and len(found) < limit:
        hits, more = uow.search.find(
            words,
            who,
            any_word=any_word,
            titles_only=titles_only,
            since=since,
            states=states,
            window=window,
            offset=offset,
        )
        offset, window = offset + window, window * 4
        hits = [h for h in hits if h.incident_id not in found]
        page = _Page.read(uow, config, hits[: limit * PAGE_PER_RESULT], states)
        for hit in hits:
            if len(found) == limit:
                break
            if hit.incident_id in found:
                continue
            if not page.holds(hit):  # a long page: read the rest as needed
                page = _Page.read(
                    uow, config, [h for h in hits if h.incident_id not in found], states
                )
            if one := page.shown(hit, org, words, titles_only=titles_only):
                found[hit.incident_id] = one
    return list(found.values())


@dataclass(frozen=True)
class _Page:
    """What the rule needs to decide on a page of candidates, read in a few queries."""

    views: dict[int, Visibility]
    entries: dict[tuple[int, int], TimelineEntry]
    resolves: dict[int, TimelineEntry]  # the latest: a reopened incident resolves anew

    @classmethod
    def read(
        cls, uow: UnitOfWork, config: Config, hits: Sequence[Hit], states: Collection[str]
    ) -> _Page:
        ids = {h.incident_id for h in hits}
        if not ids:
            return cls({}, {}, {})
        kinds = [EntryKind.EDITED, *([EntryKind.RESOLVED] if states else [])]
        # a title hit's place too: its `opened` entry may be shown where the title is not
        places = {(h.incident_id, h.seq) for h in hits}
        entries, edits, resolves, homes = {}, [], {}, {}
        for entry in uow.search.page_entries(ids, {h.row_id for h in hits}, kinds):
            if (entry.incident_id, entry.seq) in places:
                entries[(entry.incident_id, entry.seq)] = entry
            if entry.seq == 1:
                homes[entry.incident_id] = entry.actor_org
            if entry.kind == EntryKind.RESOLVED:
                resolves[entry.incident_id] = entry
            elif entry.kind == EntryKind.EDITED:
                edits.append(entry)
        return cls(visibilities(uow, config, ids, edits, homes), entries, resolves)

    def holds(self, hit: Hit) -> bool:
        if hit.incident_id not in self.views:
            return False
        return hit.kind == TITLE_KIND or (hit.incident_id, hit.seq) in self.entries

    def shown(
        self, hit: Hit, org: str, words: Sequence[str], *, titles_only: bool = False
    ) -> Found | None:
        """The hit as `org` may see it in a view of its own, or None where the rule
        withholds it (asked before any text is redacted: most candidates cost little);
        `titles_only`: found by its title, which `org` must see."""
        seen = self.views[hit.incident_id]
        title = seen.title_said
        title_shown = seen.may_see(title, org, Where.VIEW)
        tlps = [title.tlp] if title_shown else []
        snippet = None
        if hit.kind == TITLE_KIND and titles_only and not title_shown:
            return None
        # an entry; or a title withheld now (a later, stricter TLP) found in its `opened`
        # entry, which the timeline shows as it was said
        if hit.kind != TITLE_KIND or not title_shown:
            entry = self.entries.get((hit.incident_id, hit.seq))
            if entry is None or not seen.may_see(seen.said(entry), org, Where.VIEW):
                return None
            text = seen.text(entry, org, Where.VIEW)
            if text is None:
                return None
            snippet = marked(text, words)
            tlps.append(seen.said(entry).tlp)
        resolved = None
        if (resolve := self.resolves.get(hit.incident_id)) is not None:
            resolved = seen.text(resolve, org, Where.VIEW)
            if resolved is not None:
                tlps.append(seen.said(resolve).tlp)
        return Found(seen.incident, seen.title(org, Where.VIEW), snippet, max(tlps), resolved)


def visibilities(
    uow: UnitOfWork,
    config: Config,
    ids: Collection[int],
    edited: Sequence[TimelineEntry],
    homes: Mapping[int, str],
) -> dict[int, Visibility]:
    """`Visibility.of` for many incidents in a few queries (`edited`: their edits; `homes`:
    who opened each), for a view of the reader's own (where an org's several war rooms
    make no difference)."""
    incidents = uow.search.incidents(ids)
    orgs = uow.search.orgs_of(ids)
    edits: dict[int, list[TimelineEntry]] = {}
    for edit in edited:
        edits.setdefault(edit.incident_id, []).append(edit)
    views = {}
    for incident_id, incident in incidents.items():
        joined = orgs.get(incident_id, [])
        views[incident_id] = Visibility(
            incident=incident,
            sharing=Sharing(config.sharing, frozenset(joined)),
            home=homes.get(incident_id) or (joined[0] if joined else ""),
            edited_to=edited_to(edits.get(incident_id, [])),
            multi_room_orgs=frozenset(),
            language=config.language,
        )
    return views


def marked(text: str, words: Sequence[str]) -> str:
    """A one-line piece of `text` around its first match, each match in *bold*."""
    line = " ".join(text.split())
    bare = {w.strip(QUOTES) for w in words} - {""}  # `"rotated"` marks rotated
    alternatives = sorted(map(re.escape, bare), key=len, reverse=True)
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
    start, end = 0, len(line)
    if end > SNIPPET_CHARS:
        first = pattern.search(line)
        anchor, anchor_end = (first.start(), first.end()) if first else (0, 0)
        start = max(0, anchor - SNIPPET_CHARS // 3)
        if start > 0:  # begin at a word
            space = line.find(" ", start, anchor)
            start = space + 1 if space >= 0 else start
        end = min(len(line), start + SNIPPET_CHARS)
        if end < len(line):  # end after one
            space = line.rfind(" ", max(anchor_end, start), end)
            end = space if space > start else end
    piece = pattern.sub(lambda m: f"*{m.group(0)}*", line[start:end])
    return ("…" if start > 0 else "") + piece + ("…" if end < len(line) else "")
