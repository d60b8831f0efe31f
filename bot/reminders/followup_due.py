"""Due follow-ups: an open follow-up whose due time has passed is reminded once to its
owner, in the owner's organisation's digest room and privately, however long ago the
incident was closed. Its text goes only where the disclosure rule shows it; a place that
may not see it hears nothing of it (withheld means absent).

One scheduler job (`followups`) wakes at the next due time across all incidents; each check
locks the due rows, so a job firing twice, or a check racing it, says things once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import Actor, RoomRef, UserRef
from warroom.bot.domain.exercise_mark import about
from warroom.bot.domain.language import Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import EntryKind, State
from warroom.bot.operations import incidents
from warroom.bot.operations.effects import Notify, Post, payload_of
from warroom.bot.operations.followups import owner_of, said
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.bot.reminders import say
from warroom.bot.reminders.digests import digest_room
from warroom.storage.models import Followup, Incident
from warroom.storage.reminders import QueuedPost
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)
JOB_ID = "followups"


def check(
    uow: UnitOfWork, *, now: datetime, config: Config, words: Mapping[str, str]
) -> tuple[int, datetime | None]:
    """Remind what is due by `now`; how many were reminded, and when the next falls due.
    The incidents are locked first, in id order, as commands lock them."""
    found = uow.reminders.incidents(uow.followups.due_incidents(now))
    due = uow.followups.due(now, list(found))
    posts: list[QueuedPost] = []
    seen: dict[int, Visibility] = {}
    for followup in due:
        incident = found[followup.incident_id]
        if followup.incident_id not in seen:
            seen[followup.incident_id] = Visibility.of(uow, config, incident)
        said_where = _remind(uow, seen[followup.incident_id], followup, config, words, now)
        posts += [_queued(effect, incident.id, now) for effect in said_where]
    uow.reminders.queue(posts)
    uow.hints.outbox = uow.hints.outbox or bool(posts)
    return len(due), uow.followups.next_due()


def _queued(effect: Post | Notify, incident_id: int | None, now: datetime) -> QueuedPost:
    """Queued in one statement with the others (effects.queue flushes each one)."""
    payload = json.dumps(payload_of(effect), sort_keys=True)
    return QueuedPost(incident_id, effect.room.platform, effect.kind, payload, now)


def _remind(
    uow: UnitOfWork,
    seen: Visibility,
    followup: Followup,
    config: Config,
    words: Mapping[str, str],
    now: datetime,
) -> list[Post | Notify]:
    """Mark it reminded, record that, and say what to post where."""
    incident = seen.incident
    owner = owner_of(followup)
    org, user = owner.org, owner.user
    lang = config.language(org)
    word = words.get(user.platform, say.COMMAND_WORD)
    said_where: list[Post | Notify] = []
    digest = digest_room(config, org)
    shared = seen.show(said(followup), org, Where.DIGEST)
    if digest is not None and shared is not None:
        mention = user if user.platform == digest.platform else None
        message = due_message(incident, followup, shared, mention, lang=lang, word=word)
        said_where.append(Post(digest, message))
    private = seen.show(said(followup), org, Where.VIEW)
    room = _private_room(uow, incident, org, user) or digest
    if room is not None and private is not None and room.platform == user.platform:
        message = due_message(incident, followup, private, user, lang=lang, word=word)
        said_where.append(Notify(room, user, message))
    if not said_where:
        log.info("%s: follow-up #%s is due; nowhere to tell %s", incident.key,
                 followup.number, org)  # fmt: skip
    followup.reminded_at = now
    uow.save(followup)
    incidents.record(
        uow,
        incident,
        at=now,
        kind=EntryKind.FOLLOWUP,
        actor=Actor(incidents.BOT.user, followup.said_org),
        text=phrase(
            "Follow-up #{number} was due; {name} reminded",
            number=followup.number,
            name=owner.label,
        ),
        tlp=parse_tlp(followup.tlp),
    )
    return said_where


def _private_room(uow: UnitOfWork, incident: Incident, org: str, user: UserRef) -> RoomRef | None:
    """The owner's organisation's war room while it is not archived; after `close`, the
    digest room (None here) is where the owner is told privately."""
    if incident.state == State.CLOSED or incident.id is None:
        return None
    links = [link for link in uow.rooms.for_incident(incident.id) if link.org == org]
    rooms = [link.room for link in links if link.room.platform == user.platform]
    return rooms[0] if rooms else None


def due_message(
    incident: Incident,
    followup: Followup,
    text: str,
    mention: UserRef | None,
    *,
    lang: Language,
    word: str,
) -> Message:
    """A due follow-up's reminder: `text` as the reader may see it there."""
    assert followup.due_at is not None
    owner = owner_of(followup)
    who = mention.name if mention is not None else owner.label
    body = lang.format(
        "{who}, follow-up #{number} of {key} was due {when}: {text}",
        who=who,
        number=followup.number,
        key=incident.key,
        when=followup.due_at,
        text=text,
    )
    how = lang.format(
        "Tick it off with `{word} followup done {number} --id {key}`.",
        word=word,
        number=followup.number,
        key=incident.key,
    )
    message = Message(
        title=lang.format(
            "⏰ {key}: follow-up #{number} is due", key=incident.key, number=followup.number
        ),
        body=f"{body}\n{how}",
        mentions=(mention,) if mention is not None else (),
        tlp=followup.tlp,
    )
    return about(message, lang, exercise=incident.exercise)  # a digest room's too
