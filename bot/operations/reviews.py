"""The post-incident review: drafted after `resolve`, lessons from every organisation, and
marked final by the commander or deputy. Each of those is a timeline entry; what the review
shows is built from the timeline each time, as the reading organisation may see it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.events import Actor
from warroom.bot.domain.language import phrase
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.storage.models import Incident, Lesson, Review
from warroom.storage.store import UnitOfWork


class LessonKind(StrEnum):
    GOOD = "good"  # what went well
    IMPROVE = "improve"  # what to do better next time


# The entries a review lists as key moments: how the incident moved, and who led it.
KEY_MOMENTS = (
    EntryKind.OPENED,
    EntryKind.STATE,
    EntryKind.SEVERITY,
    EntryKind.PINNED,
    EntryKind.ROLE,
    EntryKind.RESOLVED,
)


def said(lesson: Lesson) -> Said:
    """The lesson's text as the disclosure rule reads it."""
    return Said(lesson.text, parse_tlp(lesson.tlp), lesson.said_org)


def ensure(uow: UnitOfWork, incident: Incident, *, actor: Actor, at: datetime) -> Review:
    """The incident's review; drafting it is a timeline entry."""
    assert incident.id is not None
    review = uow.reviews.get(incident.id)
    if review is not None:
        return review
    review = uow.reviews.add(
        Review(incident_id=incident.id, drafted_at=at, drafted_by=actor.user.user_id)
    )
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.REVIEW,
        actor=actor,
        text=phrase("Post-incident review drafted"),
        tlp=Tlp.CLEAR,  # says nothing of the incident: every organisation in it sees it
    )
    return review


def add_lesson(
    uow: UnitOfWork,
    incident: Incident,
    *,
    actor: Actor,
    kind: LessonKind,
    text: str,
    at: datetime,
    event_id: str = "",
) -> Lesson:
    """A lesson; its TLP is its own marking, else the incident's, as for a message."""
    assert incident.id is not None
    tlp = effective_tlp(text, Tlp.parse(incident.tlp))
    lesson = uow.reviews.add_lesson(
        Lesson(
            incident_id=incident.id,
            number=uow.reviews.next_lesson_number(incident.id),
            kind=kind.value,
            text=text,
            tlp=tlp.label,
            said_org=actor.org,
            said_by=actor.user.user_id,
            said_by_display=actor.user.display,
            said_at=at,
        )
    )
    # no number in the entry: a reader who may not see every lesson learns nothing of gaps
    recorded = (
        phrase("Lesson, went well: {text}", text=text)
        if kind is LessonKind.GOOD
        else phrase("Lesson, to improve: {text}", text=text)
    )
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.LESSON,
        actor=actor,
        text=recorded,
        source_event_id=event_id,
        tlp=tlp,
    )
    return lesson


def finish(
    uow: UnitOfWork, incident: Incident, review: Review, *, actor: Actor, at: datetime
) -> None:
    review.final_at = at
    review.final_by = actor.user.user_id
    review.final_by_display = actor.user.display
    uow.save(review)
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.REVIEW,
        actor=actor,
        text=phrase("Post-incident review marked final"),
        tlp=Tlp.CLEAR,
    )


def visible_lessons(
    seen: Visibility, lessons: Sequence[Lesson], reader: str, where: Where
) -> list[tuple[Lesson, str]]:
    """The lessons `reader`'s organisation may see there; the others are absent."""
    shown = []
    for lesson in lessons:
        text = seen.show(said(lesson), reader, where)
        if text is not None:
            shown.append((lesson, text))
    return shown
