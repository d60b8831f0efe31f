"""Post-incident reviews and their lessons."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from warroom.storage.models import Lesson, Review


class ReviewRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, incident_id: int) -> Review | None:
        return self.session.get(Review, incident_id)

    def add(self, review: Review) -> Review:
        self.session.add(review)
        self.session.flush()
        return review

    def next_lesson_number(self, incident_id: int) -> int:
        """The next lesson's number; the caller holds the incident row locked."""
        query = select(func.max(Lesson.number)).where(Lesson.incident_id == incident_id)
        return int(self.session.exec(query).one() or 0) + 1

    def add_lesson(self, lesson: Lesson) -> Lesson:
        self.session.add(lesson)
        self.session.flush()
        return lesson

    def lessons(self, incident_id: int) -> Sequence[Lesson]:
        query = select(Lesson).where(Lesson.incident_id == incident_id)
        return self.session.exec(query.order_by(col(Lesson.number))).all()
