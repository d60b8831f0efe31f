"""`warroom export`: one incident as the public JSON shape (DESIGN.md) or a Markdown report."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from warroom.bot.config import Config
from warroom.bot.domain.clock import iso
from warroom.bot.domain.disclosure import Said, Where
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.vocabulary import EntryKind, kind_label
from warroom.bot.operations import checkpoints, intel
from warroom.bot.operations.exercise_report import exercise_entry
from warroom.bot.operations.intel import IntelView
from warroom.bot.operations.metrics import in_words, metrics
from warroom.bot.operations.org_clocks import answers, exported
from warroom.bot.operations.review_export import followup_entries, review_entry
from warroom.bot.operations.task_export import shown_tasks, task_entries, task_metrics
from warroom.bot.operations.visibility import Visibility, redacted, said_in
from warroom.storage.chain import canonical_fields
from warroom.storage.models import TimelineEntry
from warroom.storage.store import UnitOfWork


class ExportError(Exception):
    pass


EXPORT_ORDER = (
    "key", "title", "severity", "state", "tlp", "exercise", "opened_at", "acknowledged_at",
    "contained_at", "resolved_at", "closed_at", "summary", "orgs", "view", "rooms", "roles",
    "role_history", "participants", "timeline", "tasks", "observables", "metrics", "review",
    "followups", "org_clocks", "exercise_run", "checkpoints",
)  # fmt: skip


def incident_export(
    uow: UnitOfWork,
    key: str,
    *,
    config: Config | None = None,
    as_org: str | None = None,
    now: datetime | None = None,
    lang: Language = ENGLISH,
) -> dict[str, Any]:
    """The public export shape, secrets redacted (exports travel); with `as_org`, only what
    that organisation may see, and a withheld entry as the stub that keeps the chain. What
    the bot said itself is in `lang`: English, as stored, for JSON; the report's language
    for Markdown."""
    seen = viewed(uow, key, config=config, as_org=as_org, lang=lang)
    assert seen.incident.id is not None
    entries = list(uow.timeline.entries(seen.incident.id))
    card = incident_card(uow, seen, config=config, as_org=as_org, now=now, lang=lang)
    card["timeline"] = [timeline_entry(seen, e, as_org, lang) for e in entries]
    brought_in = uow.stats.brought_in(seen.incident.id)
    card["org_clocks"] = exported(answers(seen, entries, brought_in, as_org), iso)
    return {name: card[name] for name in EXPORT_ORDER}


def viewed(
    uow: UnitOfWork,
    key: str,
    *,
    config: Config | None,
    as_org: str | None,
    lang: Language,
) -> Visibility:
    """The incident as the rule reads it for `as_org`, in `lang`; ExportError where there is
    none, or `as_org` takes no part in it."""
    incident = uow.incidents.by_key(key)
    if incident is None or incident.id is None:
        raise ExportError(f"there is no incident {key}")
    if as_org is not None and as_org not in uow.incidents.orgs(incident.id):
        raise ExportError(f"{as_org} does not take part in {key}")
    seen = Visibility.of(uow, config or Config(), incident)
    return replace(seen, language=lambda _: lang)


def incident_card(
    uow: UnitOfWork,
    seen: Visibility,
    *,
    config: Config | None,
    as_org: str | None,
    now: datetime | None,
    lang: Language,
) -> dict[str, Any]:
    """Everything of the export but the timeline and the org clocks (what reads it whole):
    the dashboard's incident page shows this beside a page of the timeline."""
    incident = seen.incident
    assert incident.id is not None
    links = list(uow.rooms.for_incident(incident.id))
    if as_org is not None:
        links = [link for link in links if link.org == as_org]
    roles = uow.roles.current(incident.id)
    tasks = shown_tasks(seen, uow.tasks.for_incident(incident.id), as_org)
    return {
        "key": incident.key,
        "title": _title(seen, as_org, lang),
        "severity": incident.severity,
        "state": incident.state,
        "tlp": incident.tlp,
        "exercise": incident.exercise,
        "opened_at": iso(incident.opened_at),
        "acknowledged_at": iso(incident.acknowledged_at),
        "contained_at": iso(incident.contained_at),
        "resolved_at": iso(incident.resolved_at),
        "closed_at": iso(incident.closed_at),
        "summary": _summary(uow, seen, as_org),
        "orgs": uow.incidents.orgs(incident.id),
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
        "tasks": task_entries(tasks, roles, iso),
        "observables": intel.export_entries(
            IntelView.of(uow, config or Config(), incident, seen), as_org
        ),
        "metrics": {**metrics(incident), **task_metrics(tasks, now or datetime.now(UTC))},
        "review": review_entry(uow, seen, as_org, iso),
        "followups": followup_entries(uow, seen, as_org, iso),
        "exercise_run": exercise_entry(uow, seen, as_org, iso),
        "checkpoints": checkpoints.exported(uow, incident.id),
    }


def timeline_entry(
    seen: Visibility, e: TimelineEntry, as_org: str | None, lang: Language
) -> dict[str, Any]:
    """One entry of the export; for `as_org`, the stub where it is withheld from it."""
    text = said_in(e, lang) if as_org is None else seen.text(e, as_org, Where.VIEW)
    if text is None:
        return {"seq": e.seq, "prev_hash": e.prev_hash, "hash": e.hash, "withheld": True}
    # what the hash covers, for an offline check (audit verify-export); the text only as
    # shown: one shown redacted (or in other words) links the chain but is not recomputed
    hashed = canonical_fields(e, seen.incident.key)
    text_hashed = hashed.pop("text") == text
    if not text_hashed:
        hashed.pop("phrase", None)  # its values are the text as said: secrets, a title
    return {
        "seq": e.seq,
        "at": iso(e.at),
        "kind": e.kind,
        "actor": {
            "platform": e.actor_platform,
            "user_id": e.actor_user_id,
            "org": e.actor_org,
            "display": e.actor_display,
        },
        "text": text,
        "tlp": seen.said(e).tlp.label,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "hashed": hashed,
        "text_hashed": text_hashed,
    }


def _title(seen: Visibility, as_org: str | None, lang: Language) -> str:
    if as_org is None:
        return redacted(seen.incident.title)
    return seen.view_title(as_org, lang)


def _summary(uow: UnitOfWork, seen: Visibility, as_org: str | None) -> str:
    """How it ended, as said with `resolve`: under that entry's TLP."""
    summary = seen.incident.summary
    if not summary or as_org is None:
        return redacted(summary)
    assert seen.incident.id is not None
    resolved = uow.timeline.latest(seen.incident.id, EntryKind.RESOLVED)
    if resolved is None:
        return ""
    said = seen.said(resolved)
    return seen.show(Said(summary, said.tlp, said.org), as_org, Where.VIEW) or ""


if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _templates() -> Environment:
    """Built when a report is first rendered: JSON, STIX and MISP exports need no Jinja."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("warroom.bot", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def markdown_report(data: dict[str, Any], lang: Language = ENGLISH) -> str:
    """The post-incident report of an export made with the same `lang`: its labels in that
    language (`_`, `format`: extracted from the template), its times in that zone."""
    return (
        _templates()
        .get_template("report.md.j2")
        .render(
            i=data,
            _=lang.gettext,
            format=lang.format,
            kind=lambda name: kind_label(name, lang),
            moment=lambda at: moment(at, lang),
            duration=lambda seconds: in_words(seconds, lang),
        )
    )


def moment(at: str | None, lang: Language) -> str:
    """An export's ISO 8601 UTC time as the reader reads it: `20. Nov. 2026, 19:32 MEZ`."""
    return lang.moment(datetime.fromisoformat(at)) if at else "-"
