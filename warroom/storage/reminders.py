"""Reminder state and digest cursors: the queries bot/reminders needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from warroom.storage.models import (
    OPEN_STATES,
    DigestCursor,
    Incident,
    ReminderState,
    TimelineEntry,
)

ANCHOR_KINDS = ("opened", "update", "severity")


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
        state = self.get(incident_id)
        if state is None:
            self.ensure(incident_id)
            return
        self.session.execute(
            update(ReminderState)
            .where(col(ReminderState.incident_id) == incident_id)
            .values(plan_version=ReminderState.plan_version + 1)
        )

    def mark_scheduled(self, incident_id: int, version: int) -> None:
        self.session.execute(
            update(ReminderState)
            .where(
                col(ReminderState.incident_id) == incident_id,
                col(ReminderState.scheduled_version) < version,
            )
            .values(scheduled_version=version)
        )

    def unplanned(self, limit: int = 1000) -> Sequence[int]:
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
        query = (
            select(ReminderState.incident_id)
            .join(Incident, col(Incident.id) == col(ReminderState.incident_id))
            .where(col(Incident.state).in_(OPEN_STATES))
        )
        return self.session.exec(query).all()

    def anchor(self, incident_id: int) -> datetime | None:
        """When the reminder clock last restarted: opening, status update or sev change."""
        query = (
            select(TimelineEntry.at)
            .where(
                TimelineEntry.incident_id == incident_id,
                col(TimelineEntry.kind).in_(ANCHOR_KINDS),
            )
            .order_by(col(TimelineEntry.seq).desc())
            .limit(1)
        )
        return self.session.exec(query).first()


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
