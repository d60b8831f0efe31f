"""Checks, inside one unit of work: decide what is due, record it, queue what to say.

Many checks often fall due together (a burst, or a new leader planning every incident),
so they run in batches: the incidents are locked and read with one query per table, and
only those with something to say read their roles and rooms. A job firing twice, or a
catch-up racing a job, finds the slot already handled: the lock serialises them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import RoomRef
from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import OPEN_STATES, EntryKind, Role
from warroom.bot.operations import incidents
from warroom.bot.operations.effects import Post, payload_of
from warroom.bot.operations.visibility import Visibility
from warroom.bot.reminders import say, task_due
from warroom.bot.reminders.digests import digest_room
from warroom.bot.reminders.plan import (
    Action,
    Decision,
    Slots,
    decide,
    overdue_for,
    restart,
)
from warroom.storage.models import Incident, ReminderState, RoleAssignment, RoomLink, Task
from warroom.storage.reminders import QueuedPost
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
    next_at: datetime | None = None
    grid_start: datetime | None = None  # the wake-up job's first tick (plan.Slots)
    cadence: timedelta | None = None
    rearm: bool = True  # the wake-up job must be (re)written: its grid moved
    tasks_at: datetime | None = None  # when the next waiting task falls due (task_due.py)
    tasks_rearm: bool = False  # the due-task job must be (re)written or dropped
    tasks_reminded: int = 0  # due tasks reminded by this check
    late_s: float | None = None  # a reminder or escalation sent: how long after it fell due

    @property
    def says_something(self) -> bool:
        """Whether the check queued messages to deliver."""
        return self.action in ("remind", "escalate") or self.tasks_reminded > 0


def lateness(results: Sequence[Plan | Exception | None]) -> list[float]:
    """How late each reminder and escalation these checks sent was, in seconds."""
    return [r.late_s for r in results if isinstance(r, Plan) and r.late_s is not None]


class _Posts:
    """The burst's messages, queued in one flush at the end (effects.queue flushes each one,
    and a burst of a thousand reminders would pay a round trip per message)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rows: list[QueuedPost] = []

    def add(self, room: RoomRef, message: Message, incident_id: int | None) -> None:
        post = Post(room, message)
        payload = json.dumps(payload_of(post), sort_keys=True)
        self.rows.append(QueuedPost(incident_id, room.platform, post.kind, payload, self.now))

    def queue(self, uow: UnitOfWork) -> None:
        uow.reminders.queue(self.rows)
        uow.hints.outbox = True


@dataclass(frozen=True)
class _Due:
    incident: Incident
    decision: Decision
    anchor: datetime
    cadence: timedelta


def check(
    uow: UnitOfWork,
    requests: Sequence[tuple[int, bool]],
    *,
    now: datetime,
    config: Config,
    words: Mapping[str, str],
) -> list[Plan | None]:
    """For each (incident id, mark): send what is due now and say what follows. `mark`
    records that the scheduler is about to plan the incident's current version."""
    ids = sorted({incident_id for incident_id, _ in requests})
    found = uow.reminders.incidents(ids)
    states = uow.reminders.states(list(found))
    anchors = uow.reminders.anchors(list(found))
    waiting, later = uow.reminders.waiting_tasks(list(found), now)
    plans: list[Plan | None] = []
    due: list[_Due] = []
    tasks_due: list[tuple[Incident, list[Task]]] = []
    with uow.no_autoflush():
        for incident_id, mark in requests:
            incident = found.get(incident_id)
            if incident is None:
                log.warning("a reminder job names incident %s, which does not exist", incident_id)
                plans.append(None)
                continue
            plan, acted = _decide(
                incident, states[incident_id], anchors, now=now, config=config, mark=mark
            )
            if plan.open:
                now_due, next_at = waiting.get(incident_id, []), later.get(incident_id)
                plan = replace(
                    plan,
                    tasks_at=next_at,
                    tasks_rearm=mark or bool(now_due),
                    tasks_reminded=len(now_due),
                )
                state = states[incident_id]
                if next_at is not None and (state.next_due_at or next_at) >= next_at:
                    state.next_due_at = next_at  # a new leader's catch-up finds it too
                if now_due:
                    tasks_due.append((incident, now_due))
            plans.append(plan)
            if acted is not None:
                due.append(acted)
    if due:
        _act(uow, due, config, now, words)
    if tasks_due:
        _act_tasks(uow, tasks_due, config, now, words)
    return plans


def _act_tasks(
    uow: UnitOfWork,
    due: list[tuple[Incident, list[Task]]],
    config: Config,
    now: datetime,
    words: Mapping[str, str],
) -> None:
    ids = [incident.id for incident, _ in due if incident.id is not None]
    roles = uow.reminders.roles(ids)
    rooms = uow.reminders.war_rooms(ids)
    posts = _Posts(now)
    for incident, tasks in due:
        assert incident.id is not None
        said = task_due.remind(
            uow,
            incident,
            tasks,
            roles=roles.get(incident.id, []),
            links=rooms.get(incident.id, []),
            config=config,
            words=words,
            now=now,
        )
        for room, message in said:
            posts.add(room, message, incident.id)
    posts.queue(uow)


def _decide(
    incident: Incident,
    state: ReminderState,
    anchors: dict[int, datetime],
    *,
    now: datetime,
    config: Config,
    mark: bool,
) -> tuple[Plan, _Due | None]:
    assert incident.id is not None
    closed = Plan(
        incident_id=incident.id,
        open=False,
        action="none",
        version=state.plan_version,
        first=state.scheduled_version == 0,
        opened_at=incident.opened_at,
    )
    if mark:
        state.scheduled_version = state.plan_version
    if incident.state not in OPEN_STATES:
        state.next_due_at = None
        return closed, None
    cadence = config.reminders.cadence(incident.severity)
    anchor = anchors.get(incident.id, incident.opened_at)
    stored = None
    if state.anchor_at is not None:
        stored = Slots(
            state.anchor_at, cadence, state.reminded_slot, state.escalated_slot, state.reminded_at
        )
    slots = restart(stored, anchor, cadence)
    decision = decide(slots, now, config.reminders.misfire_grace)
    after = decision.after
    state.anchor_at, state.reminded_at = after.anchor, after.reminded_at
    state.reminded_slot, state.escalated_slot = after.reminded, after.escalated
    state.next_due_at = after.next_at
    plan = replace(
        closed,
        open=True,
        action=decision.action,
        next_at=after.next_at,
        grid_start=after.grid_start,
        cadence=cadence,
        rearm=mark or slots is not stored or not after.same_grid(slots),
    )
    if decision.action in ("remind", "escalate") and decision.due_at is not None:
        plan = replace(plan, late_s=(now - decision.due_at).total_seconds())
    if decision.action == "skip":
        log.info("%s: slot %s due at %s is past the grace period; skipped", incident.key,
                 decision.slot, decision.due_at)  # fmt: skip
    if decision.action in ("remind", "escalate"):
        return plan, _Due(incident, decision, anchor, cadence)
    return plan, None


def _act(
    uow: UnitOfWork, due: list[_Due], config: Config, now: datetime, words: Mapping[str, str]
) -> None:
    """Queue every message, then write the timeline entries."""
    ids = [d.incident.id for d in due if d.incident.id is not None]
    leads = uow.reminders.leads(ids)
    rooms = uow.reminders.war_rooms(ids)
    homes = uow.timeline.first_sayers(ids)  # each incident's opener's organisation
    entries: list[tuple[Incident, EntryKind, Phrase]] = []
    posts = _Posts(now)
    for item in due:
        incident_id = item.incident.id
        assert incident_id is not None
        commander = leads.get((incident_id, Role.COMMANDER))
        links = rooms.get(incident_id, [])
        if item.decision.action == "remind":
            text = _remind(posts, item, commander, links, config, words)
            entries.append((item.incident, EntryKind.REMINDER, text))
        else:
            deputy = leads.get((incident_id, Role.DEPUTY))
            home = homes.get(incident_id, "")
            said = _escalate(uow, posts, item, commander, deputy, links, home, config, words)
            entries += [(item.incident, kind, text) for kind, text in said]
    posts.queue(uow)
    incidents.record_many(uow, entries, at=now, actor=incidents.BOT)


def _remind(
    posts: _Posts,
    item: _Due,
    commander_role: RoleAssignment | None,
    links: list[RoomLink],
    config: Config,
    words: Mapping[str, str],
) -> Phrase:
    """Queue the reminder, in each room's language; the timeline entry's text."""
    incident, now = item.incident, posts.now
    commander = say.user_of(commander_role)
    for link in _rooms_of(links, commander_role.org if commander_role else None):
        room = link.room
        who = commander if commander and commander.platform == room.platform else None
        word = words.get(room.platform, say.COMMAND_WORD)
        message = say.reminder(
            incident,
            who,
            since=item.anchor,
            cadence=item.cadence,
            now=now,
            word=word,
            lang=config.language(link.org),
        )
        posts.add(room, message, incident.id)
    name: str | Phrase = commander.name if commander else phrase("nobody (no commander)")
    return phrase(
        "Reminder: no status update for {overdue}; {name} mentioned",
        overdue=overdue_for(item.anchor, now),
        name=name,
    )


def _escalate(
    uow: UnitOfWork,
    posts: _Posts,
    item: _Due,
    commander_role: RoleAssignment | None,
    deputy_role: RoleAssignment | None,
    links: list[RoomLink],
    home: str,
    config: Config,
    words: Mapping[str, str],
) -> list[tuple[EntryKind, Phrase]]:
    """Queue the escalation to the deputy and the digest room; the timeline entries (kind,
    text) saying so."""
    incident, now = item.incident, posts.now
    commander, deputy = say.user_of(commander_role), say.user_of(deputy_role)
    for link in _rooms_of(links, deputy_role.org if deputy_role else None):
        room = link.room
        who = deputy if deputy and deputy.platform == room.platform else None
        word = words.get(room.platform, say.COMMAND_WORD)
        message = say.escalation(
            incident,
            who,
            commander,
            since=item.anchor,
            now=now,
            word=word,
            lang=config.language(link.org),
        )
        posts.add(room, message, incident.id)
    if deputy is not None:
        escalated = phrase(
            "Escalated: the reminder went unanswered; deputy {deputy} mentioned",
            deputy=deputy.name,
        )
    else:
        escalated = phrase("Escalated: the reminder went unanswered; no deputy to mention")
    said = [(EntryKind.ESCALATION, escalated)]
    org = commander_role.org if commander_role else home
    digest = digest_room(config, org)
    if digest is not None:
        notice = say.escalation_notice(
            incident,
            commander=commander,
            deputy=deputy,
            since=item.anchor,
            now=now,
            title=Visibility.of(uow, config, incident).title(org, Where.DIGEST),
            lang=config.language(org),
        )
        posts.add(digest, notice, incident.id)
        reported = phrase("Escalation reported to the {org} digest room", org=org)
        said.append((EntryKind.ESCALATION_NOTICE, reported))
    return said


def _rooms_of(links: list[RoomLink], org: str | None) -> list[RoomLink]:
    """The war rooms of the person's org, else all of them."""
    return [link for link in links if link.org == org] or links
