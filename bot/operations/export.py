"""`warroom export`: one incident as the public JSON shape (DESIGN.md) or a Markdown report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from warroom.bot.config import Config
from warroom.bot.domain.sharing import withheld_because
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.metrics import duration, metrics
from warroom.storage.models import TimelineEntry
from warroom.storage.store import UnitOfWork


class ExportError(Exception):
    pass


def iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def visible_to(
    config: Config, entry: TimelineEntry, viewer: str, incident_orgs: list[str]
) -> bool:
    """May `viewer` see this entry? Its own org's entries and the bot's record of the shared
    incident always; others' by the TLP rules a relay would apply."""
    if entry.actor_org in ("", viewer):
        return True
    reason = withheld_because(
        config.sharing,
        Tlp.parse(entry.tlp),
        from_org=entry.actor_org,
        to_org=viewer,
        incident_orgs=incident_orgs,
    )
    return reason is None


def incident_export(
    uow: UnitOfWork, key: str, *, config: Config | None = None, as_org: str | None = None
) -> dict[str, Any]:
    """The public export shape; with `as_org`, only what that organisation may see."""
    incident = uow.incidents.by_key(key)
    if incident is None or incident.id is None:
        raise ExportError(f"there is no incident {key}")
    orgs = uow.incidents.orgs(incident.id)
    if as_org is not None and as_org not in orgs:
        raise ExportError(f"{as_org} does not take part in {key}")
    entries = list(uow.timeline.entries(incident.id))
    links = list(uow.rooms.for_incident(incident.id))
    if as_org is not None:
        entries = [e for e in entries if visible_to(config or Config(), e, as_org, orgs)]
        links = [link for link in links if link.org == as_org]
    roles = uow.roles.current(incident.id)
    return {
        "key": incident.key,
        "title": incident.title,
        "severity": incident.severity,
        "state": incident.state,
        "tlp": incident.tlp,
        "exercise": incident.exercise,
        "opened_at": iso(incident.opened_at),
        "acknowledged_at": iso(incident.acknowledged_at),
        "contained_at": iso(incident.contained_at),
        "resolved_at": iso(incident.resolved_at),
        "closed_at": iso(incident.closed_at),
        "summary": incident.summary,
        "orgs": orgs,
        "view": as_org,
        "rooms": [
            {"org": r.org, "platform": r.platform, "workspace": r.workspace, "room_id": r.room_id}
            for r in links
        ],
        "roles": {
            (f"{r.role}:{r.scope_org}" if r.scope_org else r.role): {
                "platform": r.platform,
                "user_id": r.user_id,
                "org": r.org,
                "display": r.display,
            }
            for r in roles
        },
        "role_history": [
            {
                "role": r.role,
                "scope_org": r.scope_org,
                "platform": r.platform,
                "user_id": r.user_id,
                "org": r.org,
                "assigned_at": iso(r.assigned_at),
                "released_at": iso(r.released_at),
            }
            for r in uow.roles.history(incident.id)
        ],
        "participants": [
            {"platform": p.platform, "user_id": p.user_id, "org": p.org, "display": p.display}
            for p in uow.participants.for_incident(incident.id)
        ],
        "timeline": [
            {
                "seq": e.seq,
                "at": iso(e.at),
                "kind": e.kind,
                "actor": {
                    "platform": e.actor_platform,
                    "user_id": e.actor_user_id,
                    "org": e.actor_org,
                    "display": e.actor_display,
                },
                "text": e.text,
                "tlp": e.tlp,
                "hash": e.hash,
            }
            for e in entries
        ],
        "metrics": metrics(incident),
    }


_templates = Environment(
    loader=PackageLoader("warroom.bot", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_templates.filters["duration"] = duration


def markdown_report(data: dict[str, Any]) -> str:
    return _templates.get_template("report.md.j2").render(i=data)
