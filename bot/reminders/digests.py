"""Digests, what managers read: each org's digest room is told what it has not heard,
filtered by TLP, on every state change and on the periodic round."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.sharing import within_cap
from warroom.bot.domain.vocabulary import DONE_STATES, Role
from warroom.bot.operations.effects import Post, queue
from warroom.bot.operations.metrics import metrics
from warroom.bot.reminders import say
from warroom.bot.reminders.plan import visible_in_digest
from warroom.storage.models import Incident, RoleAssignment, TimelineEntry
from warroom.storage.store import UnitOfWork


def digest_room(config: Config, org_id: str) -> RoomRef | None:
    org = config.org(org_id)
    if org is None or not org.digest_room:
        return None
    return RoomRef(org.platform, org.room_workspace, org.digest_room)


def digest(
    uow: UnitOfWork, incident_id: int, *, now: datetime, config: Config, periodic: bool
) -> int:
    """Always on a state change; on the periodic round only when there is something new the
    org may see. Returns how many posts were queued."""
    incident = uow.incidents.get(incident_id, for_update=True)
    if incident is None:
        return 0
    home = uow.reminders.home_orgs([incident_id]).get(incident_id, "")
    commander = uow.roles.holder(incident_id, Role.COMMANDER)
    posted = 0
    for org in uow.incidents.orgs(incident_id):
        room = digest_room(config, org)
        if room is None:
            continue
        cursor = uow.digests.cursor(incident_id, org)
        changed = cursor is None or cursor.last_state != incident.state
        if not (changed or periodic):
            continue
        new = uow.digests.entries_after(incident_id, cursor.last_seq if cursor else 0)
        shown = [
            e
            for e in new
            if visible_in_digest(e.tlp, e.actor_org or home, org)
            and within_cap(config.sharing, e.tlp, e.actor_org or home, org)
        ]
        if changed or shown:
            message = _message(incident, shown, commander, home=home, org=org)
            queue(uow, Post(room, message), at=now, incident_id=incident_id)
            posted += 1
        uow.digests.advance(
            incident_id, org, seq=incident.timeline_seq, state=incident.state, at=now
        )
    return posted


def _message(
    incident: Incident,
    shown: list[TimelineEntry],
    commander: RoleAssignment | None,
    *,
    home: str,
    org: str,
) -> Message:
    final = incident.state in DONE_STATES and incident.resolved_at is not None
    return say.digest(
        incident,
        shown,
        commander=(commander.display or commander.user_id) if commander else "",
        show_title=visible_in_digest(incident.tlp, home, org),
        metrics=metrics(incident) if final else None,
    )
