"""An exercise's improvement items become follow-ups, each once: every expectation missed
(owned by the liaison of the part's organisation) and every `review improve` lesson (owned
by the liaison of the organisation that said it), through the follow-ups use case, so they
are numbered, on the timeline and under TLP like any follow-up.

An item's follow-up is said for the item's organisation at the item's TLP (the bot adds it
on that organisation's behalf, as it says an inject), so it is seen where the item was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from warroom.bot.domain.events import Actor
from warroom.bot.domain.tasks import Owner, OwnerKind
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import Role
from warroom.bot.operations import followups, incidents
from warroom.bot.operations.exercise_runs import Run
from warroom.bot.operations.hotwash import said_of
from warroom.bot.operations.reviews import LessonKind
from warroom.bot.operations.visibility import parse_tlp
from warroom.storage.models import Followup
from warroom.storage.store import UnitOfWork


@dataclass(frozen=True)
class Item:
    key: str  # `expectation:ID` or `lesson:N`: what makes it one follow-up, once
    text: str
    tlp: Tlp
    org: str  # whose item it is: who owns its follow-up, and who it is said for


def items(uow: UnitOfWork, run: Run) -> list[Item]:
    """The run's improvement items: the expectations missed, then the lessons to improve."""
    assert run.incident.id is not None
    found = []
    for expectation in run.scenario.expectations:
        if run.expectations[expectation.id].met is False:
            said = said_of(run, expectation)
            found.append(Item(f"expectation:{expectation.id}", said.text, said.tlp, said.org))
    for lesson in uow.reviews.lessons(run.incident.id):
        if lesson.kind == LessonKind.IMPROVE:
            tlp = parse_tlp(lesson.tlp)
            found.append(Item(f"lesson:{lesson.number}", lesson.text, tlp, lesson.said_org))
    return found


def _done_key(incident_id: int, item: Item) -> str:
    return f"improvement:{incident_id}:{item.key}"


def waiting(uow: UnitOfWork, run: Run) -> list[Item]:
    """The items not yet a follow-up."""
    incident_id = run.incident.id
    assert incident_id is not None
    return [i for i in items(uow, run) if uow.state.get(_done_key(incident_id, i)) is None]


def without_liaison(uow: UnitOfWork, run: Run, found: Sequence[Item]) -> list[str]:
    """The organisations of `found` whose liaison role nobody holds in the incident."""
    assert run.incident.id is not None
    roles = uow.roles.current(run.incident.id)
    return sorted({i.org for i in found if followups.pin(_liaison(i.org), roles) is None})


def _liaison(org: str) -> Owner:
    return Owner(OwnerKind.ROLE, role=Role.LIAISON, scope_org=org)


def to_followups(
    uow: UnitOfWork, run: Run, found: Sequence[Item], *, at: datetime
) -> list[Followup]:
    """Each item a follow-up of its organisation's liaison; the caller checked that every
    one has a liaison and holds the incident row locked."""
    incident = run.incident
    assert incident.id is not None
    roles = uow.roles.current(incident.id)
    added = []
    for item in found:
        owner = followups.pin(_liaison(item.org), roles)
        assert owner is not None
        followup = followups.add(
            uow,
            incident,
            actor=Actor(incidents.BOT.user, item.org),
            text=item.text,
            owner=owner,
            due_at=None,
            at=at,
            tlp=item.tlp,
        )
        uow.state.set(_done_key(incident.id, item), str(followup.number))
        added.append(followup)
    return added
