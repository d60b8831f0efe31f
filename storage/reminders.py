"""Reminder state and digest cursors: the queries bot/reminders needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from warroom.bot.domain.vocabulary import LEAD_ROLES, OPEN_STATES, REMINDER_ANCHORS
from warroom.storage.models import (
    DigestCursor,
    Incident,
    Outbox,
    ReminderState,
    RoleAssignment,
    RoomLink,
    Task,
    TimelineEntry,
)


@dataclass(frozen=True)
class QueuedPost:
    """An outbox item as a burst of checks queues it (lighter than the ORM object)."""

    incident_id: int | None
    platform: str
    action: str
    payload: str
    at: datetime


class ReminderRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, incident_id: int) -> ReminderState | None:
        return self.session.get(ReminderState, incident_id)

    def ensure(self, incident_id: int) -> ReminderState:
        state = self.get(incident_id)
        if state is None:
            state = ReminderState(incident_id=incident_id)
            self.session.add(state)
            self.session.flush()
        return state

    def touch(self, incident_id: int) -> None:
        """Say the plan must be redone: the leader's scheduler picks this up."""
        # one statement where the row is there (the common case), rather than a read first
        bumped = self.session.execute(
            update(ReminderState)
            .where(col(ReminderState.incident_id) == incident_id)
            .values(plan_version=ReminderState.plan_version + 1)
        )
        if not bumped.rowcount:  # type: ignore[attr-defined]
            self.ensure(incident_id)

    def unplanned(self, limit: int | None = 1000) -> Sequence[int]:
        """Incidents whose plan changed since the scheduler last planned them."""
        query = (
            select(ReminderState.incident_id)
            .where(col(ReminderState.plan_version) > col(ReminderState.scheduled_version))
            .order_by(col(ReminderState.incident_id))
            .limit(limit)
        )
        return self.session.exec(query).all()

    def overdue(self, now: datetime) -> Sequence[int]:
        query = (
            select(ReminderState.incident_id)
            .join(Incident, col(Incident.id) == col(ReminderState.incident_id))
            .where(col(ReminderState.next_due_at) <= now, col(Incident.state).in_(OPEN_STATES))
        )
        return self.session.exec(query).all()

    def open_incidents(self) -> Sequence[int]:
        """Every open incident, with reminder state or not (yet)."""
        query = select(Incident.id).where(col(Incident.state).in_(OPEN_STATES))
        return [i for i in self.session.exec(query) if i is not None]

    def queue(self, items: Sequence[QueuedPost]) -> None:
        """Queue many outbox items in one statement (executemany), not a flush each."""
        if not items:
            return
        rows = [
            {
                "incident_id": item.incident_id,
                "platform": item.platform,
                "action": item.action,
                "payload": item.payload,
                "attempts": 0,
                "created_at": item.at,
                "next_attempt_at": item.at,
                "last_error": "",
            }
            for item in items
        ]
        self.session.connection().execute(insert(Outbox), rows)

    # Batched reads for checks that fall due together: one query each, not one per incident.

    def incidents(self, ids: Collection[int]) -> dict[int, Incident]:
        """The incidents, locked (in id order, so concurrent batches never deadlock)."""
        query = (
            select(Incident)
            .where(col(Incident.id).in_(ids))
            .order_by(col(Incident.id))
            .with_for_update()
        )
        return {i.id: i for i in self.session.exec(query) if i.id is not None}

    def states(self, ids: Collection[int]) -> dict[int, ReminderState]:
        query = select(ReminderState).where(col(ReminderState.incident_id).in_(ids))
        found = {s.incident_id: s for s in self.session.exec(query)}
        for incident_id in set(ids) - set(found):
            found[incident_id] = ReminderState(incident_id=incident_id)
            self.session.add(found[incident_id])
        return found

    def anchors(self, ids: Collection[int]) -> dict[int, datetime]:
        """When each reminder clock last restarted: opening, status update or sev change."""
        query = (
            select(TimelineEntry.incident_id, func.max(TimelineEntry.at))
            .where(
                col(TimelineEntry.incident_id).in_(ids),
                col(TimelineEntry.kind).in_(REMINDER_ANCHORS),
            )
            .group_by(col(TimelineEntry.incident_id))
        )
        return {incident_id: at for incident_id, at in self.session.exec(query)}

    def leads(self, ids: Collection[int]) -> dict[tuple[int, str], RoleAssignment]:
        """Current commanders and deputies, by (incident, role)."""
        query = select(RoleAssignment).where(
            col(RoleAssignment.incident_id).in_(ids),
            col(RoleAssignment.role).in_(LEAD_ROLES),
            RoleAssignment.scope_org == "",
            col(RoleAssignment.released_at).is_(None),
        )
        return {(r.incident_id, r.role): r for r in self.session.exec(query)}

    def waiting_tasks(
        self, ids: Collection[int], now: datetime
    ) -> tuple[dict[int, list[Task]], dict[int, datetime]]:
        """Open tasks with a due time not yet reminded: those due by `now`, by incident,
        earliest first, and when the next of the others falls due. The later ones are not
        loaded (an incident may hold thousands; each check needs only the earliest)."""
        waiting = (
            col(Task.incident_id).in_(ids),
            col(Task.done_at).is_(None),
            col(Task.reminded_at).is_(None),
            col(Task.due_at).is_not(None),
        )
        query = (
            select(Task)
            .where(*waiting, col(Task.due_at) <= now)
            .order_by(col(Task.due_at), col(Task.number))
        )
        due: dict[int, list[Task]] = defaultdict(list)
        for task in self.session.exec(query):
            due[task.incident_id].append(task)
        later = (
            select(Task.incident_id, func.min(Task.due_at))
            .where(*waiting, col(Task.due_at) > now)
            .group_by(col(Task.incident_id))
        )
        nexts = {incident_id: at for incident_id, at in self.session.exec(later) if at}
        return due, nexts

    def roles(self, ids: Collection[int]) -> dict[int, list[RoleAssignment]]:
        """Who holds which role now, by incident (a role-owned task's owner)."""
        query = select(RoleAssignment).where(
            col(RoleAssignment.incident_id).in_(ids), col(RoleAssignment.released_at).is_(None)
        )
        roles: dict[int, list[RoleAssignment]] = defaultdict(list)
        for role in self.session.exec(query.order_by(col(RoleAssignment.id))):
            roles[role.incident_id].append(role)
        return roles

    def war_rooms(self, ids: Collection[int]) -> dict[int, list[RoomLink]]:
        query = (
            select(RoomLink)
            .where(col(RoomLink.incident_id).in_(ids), RoomLink.purpose == "warroom")
            .order_by(col(RoomLink.id))
        )
        rooms: dict[int, list[RoomLink]] = defaultdict(list)
        for link in self.session.exec(query):
            rooms[link.incident_id].append(link)
        return rooms


class DigestRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def cursor(self, incident_id: int, org: str) -> DigestCursor | None:
        return self.session.get(DigestCursor, (incident_id, org))

    def advance(
        self, incident_id: int, org: str, *, seq: int, state: str, at: datetime
    ) -> DigestCursor:
        cursor = self.cursor(incident_id, org)
        if cursor is None:
            cursor = DigestCursor(incident_id=incident_id, org=org, digested_at=at)
        cursor.last_seq, cursor.last_state, cursor.digested_at = seq, state, at
        self.session.add(cursor)
        return cursor

    def entries_after(self, incident_id: int, seq: int) -> Sequence[TimelineEntry]:
        query = (
            select(TimelineEntry)
            .where(TimelineEntry.incident_id == incident_id, col(TimelineEntry.seq) > seq)
            .order_by(col(TimelineEntry.seq))
        )
        return self.session.exec(query).all()
