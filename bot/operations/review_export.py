"""An incident's review and follow-ups in the export: each as the viewing organisation may
see it (with no `as_org`, everything, secrets redacted)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from warroom.bot.domain.disclosure import Where
from warroom.bot.operations import followups, reviews
from warroom.bot.operations.visibility import Visibility, redacted
from warroom.storage.store import UnitOfWork

Iso = Callable[[datetime | None], str | None]


def review_entry(
    uow: UnitOfWork, seen: Visibility, as_org: str | None, iso: Iso
) -> dict[str, Any] | None:
    """`{state, drafted_at, final_at, final_by, lessons[]}`, or None before any review."""
    assert seen.incident.id is not None
    review = uow.reviews.get(seen.incident.id)
    if review is None:
        return None
    lessons = uow.reviews.lessons(seen.incident.id)
    shown = (
        [(lesson, redacted(lesson.text)) for lesson in lessons]
        if as_org is None
        else reviews.visible_lessons(seen, lessons, as_org, Where.VIEW)
    )
    return {
        "state": "final" if review.final_at else "draft",
        "drafted_at": iso(review.drafted_at),
        "final_at": iso(review.final_at),
        "final_by": (
            {"user_id": review.final_by, "display": review.final_by_display}
            if review.final_at
            else None
        ),
        "lessons": [
            {
                "kind": lesson.kind,
                "text": text,
                "tlp": lesson.tlp,
                "org": lesson.said_org,
                "by": {"user_id": lesson.said_by, "display": lesson.said_by_display},
                "at": iso(lesson.said_at),
            }
            for lesson, text in shown
        ],
    }


def followup_entries(
    uow: UnitOfWork, seen: Visibility, as_org: str | None, iso: Iso
) -> list[dict[str, Any]]:
    assert seen.incident.id is not None
    found = uow.followups.for_incident(seen.incident.id)
    shown = (
        [(f, redacted(f.text)) for f in found]
        if as_org is None
        else followups.visible(seen, found, as_org, Where.VIEW)
    )
    return [
        {
            "number": f.number,
            "text": text,
            "owner": {
                "platform": f.owner_platform,
                "user_id": f.owner_user_id,
                "display": f.owner_display,
                "org": f.owner_org,
                "as": f.owner_as or None,
            },
            "due_at": iso(f.due_at),
            "done_at": iso(f.done_at),
            "done_by": (
                {"user_id": f.done_by, "display": f.done_by_display} if f.done_at else None
            ),
            "reminded_at": iso(f.reminded_at),
            "tlp": f.tlp,
        }
        for f, text in shown
    ]
