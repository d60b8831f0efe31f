"""The dashboard's incident page as one organisation may see it: the export's card (the
same rule as `export --as-org`) beside a page of the timeline, newest first, and what the
live stream sends. A withheld entry is absent here: no stub, no count, no gap filled."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from warroom.bot.config import Config
from warroom.bot.domain.clock import iso
from warroom.bot.domain.dashboard import EntriesAfter, View
from warroom.bot.domain.disclosure import Said, Where
from warroom.bot.domain.language import Language
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import (
    ExportError,
    incident_card,
    timeline_entry,
    viewed,
)
from warroom.bot.operations.visibility import Visibility, said_in
from warroom.storage.models import TimelineEntry
from warroom.storage.store import UnitOfWork

TIMELINE_PAGE = 200  # entries on one page; "older" shows the ones before
CHUNK = 1_000  # entries the stream reads at a time


def incident_page(
    uow: UnitOfWork,
    config: Config,
    key: str,
    org: str,
    *,
    now: datetime,
    before: int | None = None,
    limit: int = TIMELINE_PAGE,
) -> dict[str, Any] | None:
    """None where `org` takes no part in the incident (or there is none)."""
    seen = _seen(uow, config, key, org)
    if seen is None:
        return None
    lang = config.language(org)
    card = incident_card(uow, seen, config=config, as_org=org, now=now, lang=lang)
    shown: list[View] = []
    older: int | None = None
    sees = _rule_for(seen, org)
    for entry, said in _visible_before(uow, seen, sees, before, chunk=limit + limit // 4 + 1):
        if len(shown) == limit:
            older = shown[-1]["seq"]  # one more is there to see: link to it
            break
        shown.append(_page_entry(entry, said, lang))
    head = seen.incident.timeline_seq
    return {**card, "timeline": shown, "older": older, "head": head}


def entries_after(
    uow: UnitOfWork, config: Config, key: str, org: str, seq: int, *, limit: int = CHUNK
) -> EntriesAfter | None:
    """What `org` may see after `seq`, oldest first: the live stream's next events."""
    seen = _seen(uow, config, key, org)
    if seen is None or seen.incident.id is None:
        return None
    lang = config.language(org)
    found = uow.timeline.newer(seen.incident.id, seq, limit=limit)
    head = found[-1].seq if found else seq
    shown = [timeline_entry(seen, e, org, lang) for e, _ in _visible(seen, found, org)]
    return EntriesAfter(entries=shown, head=head)


def _seen(uow: UnitOfWork, config: Config, key: str, org: str) -> Visibility | None:
    try:
        return viewed(uow, key, config=config, as_org=org, lang=config.language(org))
    except ExportError:
        return None


def _rule_for(seen: Visibility, org: str) -> Callable[[Said], bool]:
    """The rule's answer for `org` in a view, asked once per sayer and TLP: within one
    incident and one reader it reads nothing else of an entry (not its text), and a page
    of entries holds few such pairs."""

    @cache
    def asked(tlp: Tlp, sayer: str) -> bool:
        return seen.may_see(Said("", tlp, sayer), org, Where.VIEW)

    return lambda said: asked(said.tlp, said.org)


def _visible_before(
    uow: UnitOfWork,
    seen: Visibility,
    sees: Callable[[Said], bool],
    before: int | None,
    *,
    chunk: int,
) -> Iterator[tuple[TimelineEntry, Said]]:
    """Newest first; read a page and a bit at a time, as some may be withheld."""
    assert seen.incident.id is not None
    while True:
        read = uow.timeline.older(seen.incident.id, before=before, limit=chunk)
        for entry in read:
            said = seen.said(entry)
            if sees(said):
                yield entry, said
        if len(read) < chunk:
            return
        before = read[-1].seq


def _visible(
    seen: Visibility, entries: Sequence[TimelineEntry], org: str
) -> Iterator[tuple[TimelineEntry, Said]]:
    sees = _rule_for(seen, org)
    for entry in entries:
        said = seen.said(entry)
        if sees(said):
            yield entry, said


def _page_entry(entry: TimelineEntry, said: Said, lang: Language) -> View:
    """What the page shows of an entry the rule let through: the export's entry without
    the hash chain's fields, which only the downloads carry (the text as `timeline_entry`
    gives it: redacted, the bot's own words in `lang`)."""
    return {
        "seq": entry.seq,
        "at": iso(entry.at),
        "kind": entry.kind,
        "actor": {
            "platform": entry.actor_platform,
            "user_id": entry.actor_user_id,
            "org": entry.actor_org,
            "display": entry.actor_display,
        },
        "text": said_in(entry, lang),
        "tlp": said.tlp.label,
    }
