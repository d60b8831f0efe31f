"""Exercise runs, their injects and their expectations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from warroom.storage.models import ExerciseExpectation, ExerciseInject, ExerciseRun


class ExerciseRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        run: ExerciseRun,
        injects: Sequence[ExerciseInject],
        expectations: Sequence[ExerciseExpectation],
    ) -> ExerciseRun:
        self.session.add(run)
        self.session.add_all([*injects, *expectations])
        self.session.flush()
        return run

    def get(self, incident_id: int) -> ExerciseRun | None:
        return self.session.get(ExerciseRun, incident_id)

    def injects(self, incident_id: int) -> Sequence[ExerciseInject]:
        query = select(ExerciseInject).where(ExerciseInject.incident_id == incident_id)
        return self.session.exec(query.order_by(col(ExerciseInject.id))).all()

    def expectations(self, incident_id: int) -> Sequence[ExerciseExpectation]:
        query = select(ExerciseExpectation).where(ExerciseExpectation.incident_id == incident_id)
        return self.session.exec(query.order_by(col(ExerciseExpectation.id))).all()

    def due(self, now: datetime) -> list[int]:
        """The running (not paused, not ended) exercises with something due by `now`."""
        query = (
            select(ExerciseRun.incident_id)
            .where(
                col(ExerciseRun.ended_at).is_(None),
                col(ExerciseRun.paused_at).is_(None),
                col(ExerciseRun.next_at) <= now,
            )
            .order_by(col(ExerciseRun.incident_id))
        )
        return list(self.session.exec(query))

    def running(self) -> set[int]:
        """The incidents whose exercise has not ended."""
        query = select(ExerciseRun.incident_id).where(col(ExerciseRun.ended_at).is_(None))
        return set(self.session.exec(query))

    def next_due(self) -> datetime | None:
        """When something next falls due in any running exercise."""
        query = select(func.min(ExerciseRun.next_at)).where(
            col(ExerciseRun.ended_at).is_(None), col(ExerciseRun.paused_at).is_(None)
        )
        found: datetime | None = self.session.exec(query).one()
        return found
