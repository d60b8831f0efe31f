"""The archive as one organisation may see it: `search`, and similar incidents at `open`.

SQL narrows the rows to what the rule could show (storage/search.py); each candidate is
then asked of `Visibility`, so what is found is exactly what `export --as-org` would show:
an incident only if the reader takes part in it, a text only if the rule shows it there,
the title or, where that is withheld, the withheld-title line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
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

PAGE = 50  # candidate rows read at a time
MOST_ROWS = 1000  # candidates asked of the rule before giving up on filling the list
SNIPPET_CHARS = 160
SUGGESTED = 3
TITLE_WORD_CHARS = 3  # shorter words of a title say little about what it is


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
    most telling words of `title`, with how each ended."""
    words = sorted(
        {w.lower() for w in words_of(title) if len(w) >= TITLE_WORD_CHARS},
        key=lambda w: (-len(w), w),
    )[:5]  # the longest: a few telling words keep a big archive's query short
    return _found(
        uow,
        config,
        org,
        words,
        limit=SUGGESTED,
        any_word=True,
        states=DONE_STATES,
        kinds=(TITLE_KIND,),
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
    states: Collection[str] = (),
    kinds: Collection[str] = (),
) -> list[Found]:
    who = reader(config, org)
    found: dict[int, Found] = {}
    refused: set[int] = set()
    for offset in range(0, MOST_ROWS, PAGE):
        hits = uow.search.find(
            words,
            who,
            any_word=any_word,
            since=since,
            states=states,
            kinds=kinds,
            limit=PAGE,
            offset=offset,
        )
        fresh = [h for h in hits if h.incident_id not in found and h.incident_id not in refused]
        shown = _shown(uow, config, org, fresh, words, with_resolve=bool(states))
        for hit in fresh:
            if len(found) == limit:
                break
            if hit.incident_id in found:
                continue
            one = shown.get((hit.incident_id, hit.seq))
            if one is None:
                continue
            found[hit.incident_id] = one
        refused |= {h.incident_id for h in fresh} - found.keys()
        if len(found) == limit or len(hits) < PAGE:
            break
    return list(found.values())


def _shown(
    uow: UnitOfWork,
    config: Config,
    org: str,
    hits: Sequence[Hit],
    words: Sequence[str],
    *,
    with_resolve: bool,
) -> dict[tuple[int, int], Found]:
    """Each hit the rule lets `org` see (in a view of its own), as it would be shown."""
    if not hits:
        return {}
    ids = {h.incident_id for h in hits}
    views = visibilities(uow, config, ids)
    kinds = [EntryKind.EDITED, *([EntryKind.RESOLVED] if with_resolve else [])]
    entries: dict[tuple[int, int], TimelineEntry] = {}
    resolves: dict[int, TimelineEntry] = {}
    for entry in uow.search.entries_of(ids, {h.seq for h in hits}, kinds):
        entries[(entry.incident_id, entry.seq)] = entry
        if entry.kind == EntryKind.RESOLVED:
            resolves[entry.incident_id] = entry  # the latest: a reopened one resolves anew
    shown = {}
    for hit in hits:
        seen = views[hit.incident_id]
        title_tlp = seen.title_said.tlp
        title_shown = seen.may_see(seen.title_said, org, Where.VIEW)
        tlps = [title_tlp] if title_shown else []
        if hit.kind == TITLE_KIND:
            if not title_shown:
                continue
            snippet = None
        else:
            said = entries.get((hit.incident_id, hit.seq))
            text = seen.text(said, org, Where.VIEW) if said is not None else None
            if said is None or text is None:
                continue
            snippet = marked(text, words)
            tlps.append(seen.said(said).tlp)
        resolved = None
        if (resolve := resolves.get(hit.incident_id)) is not None:
            resolved = seen.text(resolve, org, Where.VIEW)
            if resolved is not None:
                tlps.append(seen.said(resolve).tlp)
        shown[(hit.incident_id, hit.seq)] = Found(
            seen.incident, seen.title(org, Where.VIEW), snippet, max(tlps), resolved
        )
    return shown


def visibilities(uow: UnitOfWork, config: Config, ids: Collection[int]) -> dict[int, Visibility]:
    """`Visibility.of` for many incidents in a few queries, for a view of the reader's own
    (where an org's several war rooms make no difference)."""
    incidents = uow.search.incidents(ids)
    orgs = uow.search.orgs_of(ids)
    homes = uow.reminders.home_orgs(ids)
    edits: dict[int, list[TimelineEntry]] = {}
    for edit in uow.search.entries_of(ids, (), (EntryKind.EDITED,)):
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
    alternatives = sorted({re.escape(w) for w in words}, key=len, reverse=True)
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
