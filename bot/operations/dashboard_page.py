"""The dashboard's incident page as one organisation may see it: the export's card (the
same rule as `export --as-org`) beside a page of the timeline, newest first, and what the
live stream sends. A withheld entry is absent here: no stub, no count, no gap filled."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from warroom.bot.config import Config
from warroom.bot.domain.dashboard import EntriesAfter, View
from warroom.bot.domain.disclosure import Where
from warroom.bot.operations.export import ExportError, incident_card, timeline_entry, viewed
from warroom.bot.operations.visibility import Visibility
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
    for entry in _visible_before(uow, seen, org, before, chunk=limit + limit // 4 + 1):
        if len(shown) == limit:
            older = shown[-1]["seq"]  # one more is there to see: link to it
            break
        shown.append(timeline_entry(seen, entry, org, lang))
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
    shown = [timeline_entry(seen, e, org, lang) for e in _visible(seen, found, org)]
    return EntriesAfter(entries=shown, head=head)


def _seen(uow: UnitOfWork, config: Config, key: str, org: str) -> Visibility | None:
    try:
        return viewed(uow, key, config=config, as_org=org, lang=config.language(org))
    except ExportError:
        return None


def _visible_before(
    uow: UnitOfWork, seen: Visibility, org: str, before: int | None, *, chunk: int
) -> Iterator[TimelineEntry]:
    """Newest first; read a page and a bit at a time, as some may be withheld."""
    assert seen.incident.id is not None
    while True:
        read = uow.timeline.older(seen.incident.id, before=before, limit=chunk)
        yield from _visible(seen, read, org)
        if len(read) < chunk:
            return
        before = read[-1].seq


def _visible(
    seen: Visibility, entries: Sequence[TimelineEntry], org: str
) -> Iterator[TimelineEntry]:
    for entry in entries:
        if seen.may_see(seen.said(entry), org, Where.VIEW):
            yield entry
