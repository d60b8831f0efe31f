"""Due tasks: an open task whose due time has passed is reminded once, to its owner in the
war rooms of the owner's organisation (a role's task to whoever holds the role now, an
unowned one to the commander), with its text only where the disclosure rule shows it.

A room whose organisation may not see the task hears nothing of it: withheld means absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import Actor, RoomRef, UserRef
from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tasks import OwnerKind
from warroom.bot.domain.vocabulary import EntryKind, Role
from warroom.bot.operations import incidents
from warroom.bot.operations.tasks import holder, owner_of, shown_text
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.bot.reminders import say
from warroom.storage.models import Incident, RoleAssignment, RoomLink, Task
from warroom.storage.store import UnitOfWork


@dataclass(frozen=True)
class Reminded:
    """Who a due task's reminder is for: the person to mention (if anybody holds the task),
    how to name them otherwise, and the organisation whose war rooms hear it (None: all)."""

    user: UserRef | None
    label: str | Phrase
    org: str | None


def recipient(task: Task, roles: Sequence[RoleAssignment], directory: OrgDirectory) -> Reminded:
    if task.owner_kind == OwnerKind.USER:
        owner = owner_of(task)
        assert owner.user is not None
        return Reminded(owner.user, owner.label, directory.org_of(owner.user))
    if task.owner_kind == OwnerKind.ROLE:
        held = holder(task, roles)
        label: str | Phrase = owner_of(task).label
        scope = task.owner_scope_org or None
    else:
        held = next((r for r in roles if r.role == Role.COMMANDER and not r.scope_org), None)
        label, scope = Role.COMMANDER.value, None
    if held is None:
        return Reminded(None, phrase("{role} (nobody holds the role)", role=label), scope)
    user = UserRef(held.platform, held.workspace, held.user_id, held.display)
    return Reminded(user, user.name, held.org)


def remind(
    uow: UnitOfWork,
    incident: Incident,
    tasks: Sequence[Task],
    *,
    roles: Sequence[RoleAssignment],
    links: Sequence[RoomLink],
    config: Config,
    words: Mapping[str, str],
    now: datetime,
) -> list[tuple[RoomRef, Message]]:
    """Mark each task reminded, record it on the timeline and return what to post where."""
    seen = Visibility.of(uow, config, incident)
    directory = OrgDirectory(config)
    posts: list[tuple[RoomRef, Message]] = []
    for task in tasks:
        assert task.due_at is not None
        to = recipient(task, roles, directory)
        rooms = [link for link in links if link.org == to.org] or list(links)
        for link in rooms:
            text = shown_text(seen, task, link.org, Where.ROOM)
            if text is None:
                continue
            lang = config.language(link.org)
            room = link.room
            mention = to.user if to.user and to.user.platform == room.platform else None
            label = to.label.say(lang) if isinstance(to.label, Phrase) else to.label
            message = say.task_due(
                incident.key,
                task.number,
                text,
                owner=mention,
                owner_label=label,
                due_at=task.due_at,
                tlp=task.tlp,
                word=words.get(room.platform, say.COMMAND_WORD),
                lang=lang,
            )
            posts.append((room, message))
        task.reminded_at = now
        uow.save(task)
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.TASK,
            actor=Actor(incidents.BOT.user, task.said_org),
            text=phrase(
                "Task #{number} was due; {name} reminded", number=task.number, name=to.label
            ),
            tlp=parse_tlp(task.tlp),
        )
    return posts
