"""Digests, what managers read: each org's digest room is told what it has not heard,
filtered by TLP, on every state change and on the periodic round."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.exercise_mark import about
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DONE_STATES, Role
from warroom.bot.operations import checklist
from warroom.bot.operations.cards import Shown
from warroom.bot.operations.effects import Post, queue
from warroom.bot.operations.metrics import metrics
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.bot.reminders import say
from warroom.storage.models import RoleAssignment, Task
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
    seen = Visibility.of(uow, config, incident)
    commander = uow.roles.holder(incident_id, Role.COMMANDER)
    final = incident.state in DONE_STATES and incident.resolved_at is not None
    tasks = [t for t in uow.tasks.for_incident(incident_id) if t.done_at is None] if final else []
    roles = list(uow.roles.current(incident_id)) if tasks else []
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
        shown = seen.entries(new, org, Where.DIGEST)
        if changed or shown:
            message = _message(seen, shown, commander, org=org)
            if tasks:
                message = _with_open_tasks(message, seen, tasks, roles, org=org)
            queue(uow, Post(room, message), at=now, incident_id=incident_id)
            posted += 1
        uow.digests.advance(
            incident_id, org, seq=incident.timeline_seq, state=incident.state, at=now
        )
    return posted


def digest_title(seen: Visibility, org: str) -> str:
    """`INC-1 digest: the title`, or the withheld-title line."""
    key, shown = seen.incident.key, seen.bare_title(org, Where.DIGEST)
    lang = seen.language(org)
    if shown is not None:
        return lang.format("{key} digest: {title}", key=key, title=shown)
    return lang.format(
        "{key} digest (title withheld: TLP:{tlp})", key=key, tlp=seen.title_said.tlp.label
    )


def _message(
    seen: Visibility, shown: Shown, commander: RoleAssignment | None, *, org: str
) -> Message:
    incident = seen.incident
    final = incident.state in DONE_STATES and incident.resolved_at is not None
    digest = say.digest(
        incident,
        shown,
        commander=(commander.display or commander.user_id) if commander else "",
        title=digest_title(seen, org),
        banner=seen.highest_tlp(e for e, _ in shown),
        lang=seen.language(org),
        metrics=metrics(incident) if final else None,
    )
    # an exercise's digest is marked, so no manager takes the drill for a real incident
    return about(digest, seen.language(org), exercise=incident.exercise)


def _with_open_tasks(
    message: Message,
    seen: Visibility,
    tasks: list[Task],
    roles: list[RoleAssignment],
    *,
    org: str,
) -> Message:
    """The final digest lists the tasks still open that the org may see (none: unchanged)."""
    shown = checklist.visible(seen, tasks, org, Where.DIGEST)
    if not shown:
        return message
    lang = seen.language(org)
    lines = [checklist.task_line(t, text, roles, lang) for t, text in shown]
    held = [parse_tlp(t.tlp) for t, _ in shown]
    if message.tlp:
        held.append(Tlp.parse(message.tlp))
    return say.with_open_tasks(message, lines, lang, tlp=max(held).label)
