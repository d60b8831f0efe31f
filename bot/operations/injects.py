"""Delivering an exercise inject: a timeline entry said for each target part's
organisation (kind `inject`, under the inject's TLP), a marked bot message in that
organisation's war rooms only, and the windows of the expectations it opens."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.events import Actor
from warroom.bot.domain.exercises import Inject
from warroom.bot.domain.language import Language, Phrase
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents
from warroom.bot.operations.effects import Post, queue
from warroom.bot.operations.exercise_runs import SENT, Run
from warroom.bot.operations.visibility import Visibility, redacted
from warroom.storage.models import ExerciseInject
from warroom.storage.store import UnitOfWork


def said_for(run: Run, inject: Inject, part: str) -> Said:
    """The inject as the disclosure rule reads it: said for the part's organisation."""
    tlp = effective_tlp(inject.text, run.scenario.inject_tlp(inject))
    return Said(inject.text, tlp, run.org_of(part))


def deliver(
    uow: UnitOfWork, run: Run, row: ExerciseInject, *, now: datetime, config: Config
) -> bool:
    """Deliver it; False, with nothing done, while a target's war room is still being
    made (the start queues the rooms in the same transaction)."""
    inject = run.scenario.inject(row.inject_id)
    incident = run.incident
    assert inject is not None and incident.id is not None
    links = uow.rooms.for_incident(incident.id)
    orgs = {link.org for link in links}
    if any(run.org_of(part) not in orgs for part in run.scenario.targets(inject)):
        return False
    seen = Visibility.of(uow, config, incident)
    for part in run.scenario.targets(inject):
        said = said_for(run, inject, part)
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.INJECT,
            actor=Actor(incidents.BOT.user, said.org),
            text=Phrase(inject.text),  # said in each reader's language
            tlp=said.tlp,
        )
        for link in links:
            if link.org != said.org:
                continue
            shown = seen.show(said, link.org, Where.SAID_ROOM)
            if shown is not None:
                lang = config.language(link.org)
                text = redacted(lang.gettext(inject.text))
                message = inject_message(inject, part, text, said, lang)
                queue(uow, Post(link.room, message), at=now, incident_id=incident.id)
    row.state, row.sent_at = SENT, now
    for expectation in run.scenario.expectations:
        if expectation.inject == inject.id:
            window = run.expectations[expectation.id]
            window.opens_at = now
            window.closes_at = now + expectation.within / run.row.speed
    return True


def inject_message(inject: Inject, part: str, text: str, said: Said, lang: Language) -> Message:
    """An inject in a war room (runtime/exercise_rooms.py marks it, as all said there)."""
    fields = [Field(lang.gettext("Part"), part)]
    if inject.role:
        fields.append(Field(lang.gettext("For"), inject.role))
    return Message(
        title=lang.format("inject {id}", id=inject.id),
        body=text,
        fields=tuple(fields),
        tlp=said.tlp.label,
        footer=lang.gettext("This is an exercise: respond as you would in a real incident."),
    )
