"""The dashboard's incident list as one organisation may see it: each title through the
one disclosure rule (a withheld one reads `INC-N (title withheld: TLP:...)`)."""

from __future__ import annotations

from typing import Any

from warroom.bot.config import Config
from warroom.bot.domain.clock import iso
from warroom.bot.domain.dashboard import ListFilter
from warroom.bot.domain.language import Language
from warroom.bot.domain.vocabulary import State
from warroom.bot.operations.org_view import views_of
from warroom.storage.dashboard import Cursor
from warroom.storage.store import UnitOfWork

PAGE_SIZE = 50


def incident_list(
    uow: UnitOfWork, config: Config, org: str, wanted: ListFilter, lang: Language
) -> dict[str, Any]:
    found = uow.dashboard.listing(
        org,
        state=wanted.state,
        severity=wanted.severity,
        with_org=wanted.org,
        exercise=wanted.exercise,
        limit=PAGE_SIZE,
        after=_cursor(wanted.after),
    )
    ids = [i.id for i in found.incidents if i.id is not None]
    views = views_of(uow, config, ids)  # each incident's organisations are read with it
    rows = [
        {
            "key": i.key,
            "title": views[i.id].view_title(org, lang),
            "severity": i.severity,
            "state": i.state,
            "tlp": i.tlp,
            "exercise": i.exercise,
            "opened_at": iso(i.opened_at),
            "orgs": sorted(views[i.id].sharing.incident_orgs),
        }
        for i in found.incidents
        if i.id is not None
    ]
    return {
        "view": org,
        "incidents": rows,
        "first": wanted.after is None,
        "next": None
        if found.next is None
        else f"{'d' if found.next.done else 'o'}{found.next.number}",
        "states": [s.value for s in State],
        "orgs": sorted(o.id for o in config.orgs) or [org],
    }


def _after(cursor: Cursor | None) -> str | None:
    return None if cursor is None else f"{'d' if cursor.done else 'o'}{cursor.number}"


def _cursor(after: str | None) -> Cursor | None:
    """`o123` / `d123`: after open / done incident 123 (the web adapter checked the shape)."""
    return None if after is None else Cursor(after[0] == "d", int(after[1:]))
