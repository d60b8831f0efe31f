"""The work a due job does, inside one unit of work: decide, record, queue what to say.

The incident row is locked first, so two processes (or a job and a catch-up pass) running
the same check at once serialise, and the second finds the slot already handled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.bot import incidents
from warroom.bot.config import Config
from warroom.bot.events import RoomRef
from warroom.bot.messages import Message
from warroom.bot.metrics import metrics
from warroom.bot.outbox import enqueue_post
from warroom.bot.reminders import say
from warroom.bot.reminders.plan import (
    Action,
    Slots,
    decide,
    overdue_for,
    restart,
    visible_in_digest,
)
from warroom.storage.models import OPEN_STATES, Incident, RoleAssignment, TimelineEntry
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """What the scheduler needs to know about one incident after a check."""

    incident_id: int
    open: bool
    action: Action
    version: int
    first: bool  # never planned by a scheduler before
    opened_at: datetime
    anchor: datetime | None = None
    cadence: timedelta | None = None
    next_at: datetime | None = None


def check(uow: UnitOfWork, incident_id: int, *, now: datetime, config: Config) -> Plan | None:
    """Send the reminder or escalation that is due now, if any; the plan for what follows."""
    incident = uow.incidents.get(incident_id, for_update=True)
    if incident is None or incident.id is None:
        return None
    state = uow.reminders.ensure(incident_id)
    base = {
        "incident_id": incident_id,
        "version": state.plan_version,
        "first": state.scheduled_version == 0,
        "opened_at": incident.opened_at,
    }
    if incident.state not in OPEN_STATES:
        state.next_due_at = None
        uow.session.add(state)
        return Plan(open=False, action="none", **base)  # type: ignore[arg-type]
    cadence = config.reminders.cadence(incident.severity)
    anchor = uow.reminders.anchor(incident_id) or incident.opened_at
    stored = (
        Slots(state.anchor_at, cadence, state.reminded_slot, state.escalated_slot)
        if state.anchor_at
        else None
    )
    decision = decide(restart(stored, anchor, cadence), now, config.reminders.misfire_grace)
    if decision.action == "remind":
        _remind(uow, incident, config, anchor=anchor, cadence=cadence, now=now)
    elif decision.action == "escalate":
        _escalate(uow, incident, config, anchor=anchor, now=now)
    elif decision.action == "skip":
        log.info(
            "%s: slot %s was due at %s, past the grace period; skipped",
            incident.key,
            decision.slot,
            decision.due_at,
        )
    after = decision.after
    state.anchor_at = after.anchor
    state.reminded_slot, state.escalated_slot = after.reminded, after.escalated
    state.next_due_at = after.next_at
    uow.session.add(state)
    return Plan(
        open=True,
        action=decision.action,
        anchor=anchor,
        cadence=cadence,
        next_at=after.next_at,
        **base,  # type: ignore[arg-type]
    )


def _remind(
    uow: UnitOfWork,
    incident: Incident,
    config: Config,
    *,
    anchor: datetime,
    cadence: timedelta,
    now: datetime,
) -> None:
    assert incident.id is not None
    role = uow.roles.holder(incident.id, "commander")
    commander = say.user_of(role)
    for room in _war_rooms(uow, incident.id, role.org if role else None):
        who = commander if commander and commander.platform == room.platform else None
        message = say.reminder(
            incident, who, since=anchor, cadence=cadence, now=now, platform=room.platform
        )
        enqueue_post(uow, room, message, at=now, incident_id=incident.id)
    name = commander.name if commander else "nobody (no commander)"
    incidents.record(
        uow,
        incident,
        at=now,
        kind="reminder",
        actor=incidents.BOT,
        text=f"Reminder: no status update for {overdue_for(anchor, now)}; {name} mentioned",
    )


def _escalate(
    uow: UnitOfWork, incident: Incident, config: Config, *, anchor: datetime, now: datetime
) -> None:
    assert incident.id is not None
    commander_role = uow.roles.holder(incident.id, "commander")
    commander = say.user_of(commander_role)
    deputy_role = uow.roles.holder(incident.id, "deputy")
    deputy = say.user_of(deputy_role)
    for room in _war_rooms(uow, incident.id, deputy_role.org if deputy_role else None):
        who = deputy if deputy and deputy.platform == room.platform else None
        message = say.escalation(
            incident, who, commander, since=anchor, now=now, platform=room.platform
        )
        enqueue_post(uow, room, message, at=now, incident_id=incident.id)
    orgs = uow.incidents.orgs(incident.id)
    home = orgs[0] if orgs else ""
    org = commander_role.org if commander_role else home
    told = ""
    room = digest_room(config, org)
    if room is not None:
        notice = say.escalation_notice(
            incident,
            commander=commander,
            deputy=deputy,
            since=anchor,
            now=now,
            show_title=visible_in_digest(incident.tlp, home, org),
        )
        enqueue_post(uow, room, notice, at=now, incident_id=incident.id)
        told = f"; the {org} digest room told"
    who = f"deputy {deputy.name} mentioned" if deputy else "no deputy to mention"
    incidents.record(
        uow,
        incident,
        at=now,
        kind="escalation",
        actor=incidents.BOT,
        text=f"Escalated: reminder unanswered for half a cadence; {who}{told}",
    )


def _war_rooms(uow: UnitOfWork, incident_id: int, org: str | None) -> list[RoomRef]:
    """The war rooms of the person's org, else all of them."""
    links = uow.rooms.for_incident(incident_id)
    mine = [link for link in links if link.org == org] or list(links)
    return [RoomRef(link.platform, link.workspace, link.room_id) for link in mine]


def digest_room(config: Config, org_id: str) -> RoomRef | None:
    org = config.org(org_id)
    if org is None or not org.digest_room:
        return None
    return RoomRef(org.platform, org.workspace or "console", org.digest_room)


def digest(
    uow: UnitOfWork, incident_id: int, *, now: datetime, config: Config, periodic: bool
) -> int:
    """Tell each org's digest room what it has not heard: always on a state change, and on
    the periodic round when there is something new it may see. Returns posts queued."""
    incident = uow.incidents.get(incident_id, for_update=True)
    if incident is None:
        return 0
    orgs = uow.incidents.orgs(incident_id)
    home = orgs[0] if orgs else ""
    commander = uow.roles.holder(incident_id, "commander")
    posted = 0
    for org in orgs:
        room = digest_room(config, org)
        if room is None:
            continue
        cursor = uow.digests.cursor(incident_id, org)
        changed = cursor is None or cursor.last_state != incident.state
        if not (changed or periodic):
            continue
        new = uow.digests.entries_after(incident_id, cursor.last_seq if cursor else 0)
        shown = [e for e in new if visible_in_digest(e.tlp, e.actor_org or home, org)]
        if changed or shown:
            message = _digest_message(incident, shown, commander, home=home, org=org)
            enqueue_post(uow, room, message, at=now, incident_id=incident_id)
            posted += 1
        uow.digests.advance(
            incident_id, org, seq=incident.timeline_seq, state=incident.state, at=now
        )
    return posted


def _digest_message(
    incident: Incident,
    shown: list[TimelineEntry],
    commander: RoleAssignment | None,
    *,
    home: str,
    org: str,
) -> Message:
    final = incident.state in ("resolved", "closed") and incident.resolved_at is not None
    name = (commander.display or commander.user_id) if commander else ""
    return say.digest(
        incident,
        shown,
        commander=name,
        show_title=visible_in_digest(incident.tlp, home, org),
        metrics=metrics(incident) if final else None,
    )
