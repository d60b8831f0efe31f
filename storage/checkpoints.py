"""Signed checkpoints as made, per incident."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from warroom.storage.models import Checkpoint, Incident


class CheckpointRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, checkpoint: Checkpoint) -> Checkpoint:
        self.session.add(checkpoint)
        self.session.flush()
        return checkpoint

    def for_incident(self, incident_id: int) -> Sequence[Checkpoint]:
        query = select(Checkpoint).where(Checkpoint.incident_id == incident_id)
        return self.session.exec(query.order_by(col(Checkpoint.seq), col(Checkpoint.id))).all()

    def latest(self, incident_id: int) -> Checkpoint | None:
        query = (
            select(Checkpoint)
            .where(Checkpoint.incident_id == incident_id)
            .order_by(col(Checkpoint.id).desc())
            .limit(1)
        )
        return self.session.exec(query).first()

    def all(self) -> Sequence[Checkpoint]:
        return self.session.exec(select(Checkpoint).order_by(col(Checkpoint.id))).all()

    def behind(self) -> list[int]:
        """Open incidents with entries after their last checkpoint (or none at all)."""
        last = (
            select(Checkpoint.incident_id, func.max(Checkpoint.seq).label("seq"))
            .group_by(col(Checkpoint.incident_id))
            .subquery()
        )
        query = (
            select(Incident.id)
            .outerjoin(last, col(last.c.incident_id) == col(Incident.id))
            .where(col(Incident.closed_at).is_(None))
            .where(col(Incident.timeline_seq) > func.coalesce(last.c.seq, 0))
            .order_by(col(Incident.id))
        )
        return [i for i in self.session.exec(query).all() if i is not None]
