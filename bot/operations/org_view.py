"""One organisation's view of many incidents at once, for the indicators: a `Visibility` per
incident where the rule must be asked, read in a few queries rather than a few each."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Sharing
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations.visibility import Visibility, edited_to
from warroom.storage.models import TimelineEntry
from warroom.storage.store import UnitOfWork

NO_ENTRIES: Mapping[int, Sequence[TimelineEntry]] = {}


def views_of(
    uow: UnitOfWork,
    config: Config,
    ids: Collection[int],
    entries: Mapping[int, Sequence[TimelineEntry]] = NO_ENTRIES,
) -> dict[int, Visibility]:
    """Each incident of `ids` as the rule reads it; `entries` holds the edits of what will
    be asked about (an edit gives the entry it edits its TLP)."""
    joined = uow.stats.joined(ids)
    homes = uow.stats.homes(ids)
    return {
        i.id: Visibility(
            incident=i,
            sharing=Sharing(config.sharing, frozenset(org for org, _ in joined.get(i.id, ()))),
            home=homes.get(i.id, ""),
            edited_to=edited_to([e for e in entries.get(i.id, ()) if e.kind == EntryKind.EDITED]),
            multi_room_orgs=frozenset(),  # a view is never a room
            language=config.language,
        )
        for i in uow.stats.incidents(ids)
        if i.id is not None
    }
