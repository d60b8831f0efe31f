"""Task operations, inside one unit of work: each change is a timeline entry and queues the
checklists' refresh. The timeline keeps a task's text only in the entry that adds it, said
by who added it; later entries name the task by number, so whoever ticks it passes no text
on under their own organisation's agreements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.events import Actor, UserRef
from warroom.bot.domain.exercises import scaled
from warroom.bot.domain.language import Language, Phrase, phrase
from warroom.bot.domain.tasks import (
    NOBODY,
    After,
    Owner,
    OwnerError,
    OwnerKind,
    has_reached,
    parse_owner,
)
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind, IncidentChanged
from warroom.bot.operations import due_times, incidents
from warroom.bot.operations.effects import SyncChecklists, queue
from warroom.bot.operations.exercise_runs import speed_of
from warroom.bot.operations.playbooks import Playbook
from warroom.bot.operations.visibility import Visibility, parse_tlp, redacted
from warroom.storage.models import Incident, PlaybookRun, RoleAssignment, Task
from warroom.storage.store import UnitOfWork


class TaskFacts(Protocol):
    """What a task's line shows: a stored `Task`, or the lighter row a checklist reads."""

    @property
    def number(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def tlp(self) -> str: ...
    @property
    def said_org(self) -> str: ...
    @property
    def owner_kind(self) -> str: ...
    @property
    def owner_role(self) -> str: ...
    @property
    def owner_scope_org(self) -> str: ...
    @property
    def owner_platform(self) -> str: ...
    @property
    def owner_workspace(self) -> str: ...
    @property
    def owner_user_id(self) -> str: ...
    @property
    def owner_display(self) -> str: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def done_at(self) -> datetime | None: ...
    @property
    def done_by(self) -> str: ...
    @property
    def done_by_display(self) -> str: ...
    @property
    def playbook(self) -> str: ...


def said(task: TaskFacts) -> Said:
    """The task's text as the disclosure rule reads it."""
    return Said(task.text, parse_tlp(task.tlp), task.said_org)


def in_language(task: TaskFacts, shown: str, lang: Language) -> str:
    """A playbook's task in `lang` (the catalog has the shipped ones; an operator's own read as
    written), once the rule has let `shown` through; what people typed as they typed it."""
    if not task.playbook:
        return shown
    return redacted(lang.gettext(task.text))


def shown_text(seen: Visibility, task: TaskFacts, reader: str, where: Where) -> str | None:
    """The task's text as `reader` may see it there, in its language; None where withheld."""
    text = seen.show(said(task), reader, where)
    return None if text is None else in_language(task, text, seen.language(reader))


def owner_of(task: TaskFacts) -> Owner:
    if task.owner_kind == OwnerKind.USER:
        user = UserRef(
            task.owner_platform, task.owner_workspace, task.owner_user_id, task.owner_display
        )
        return Owner(OwnerKind.USER, user=user)
    if task.owner_kind == OwnerKind.ROLE:
        return Owner(OwnerKind.ROLE, role=task.owner_role, scope_org=task.owner_scope_org)
    return NOBODY


def set_owner(uow: UnitOfWork, incident: Incident, task: Task, owner: Owner, at: datetime) -> None:
    """Give `task` to `owner`; a person who owns a task takes part and is invited."""
    user = owner.user
    assert incident.id is not None
    if (
        user is not None
        and owner.org
        and uow.participants.ensure(incident.id, user, owner.org, at)
    ):
        incidents.invite_to_rooms(uow, incident, user, owner.org, at)
    task.owner_kind = owner.kind.value
    task.owner_role = owner.role
    task.owner_scope_org = owner.scope_org
    task.owner_platform = user.platform if user else ""
    task.owner_workspace = user.workspace if user else ""
    task.owner_user_id = user.user_id if user else ""
    task.owner_display = user.display if user else ""


def holder(task: TaskFacts, roles: Iterable[RoleAssignment]) -> RoleAssignment | None:
    """Who holds a role-owned task's role now: after a handover, the new holder."""
    if task.owner_kind != OwnerKind.ROLE:
        return None
    return next(
        (r for r in roles if r.role == task.owner_role and r.scope_org == task.owner_scope_org),
        None,
    )


def is_owner(task: Task, user: UserRef, roles: Iterable[RoleAssignment]) -> bool:
    if task.owner_kind == OwnerKind.USER:
        return (task.owner_platform, task.owner_workspace, task.owner_user_id) == (
            user.platform,
            user.workspace,
            user.user_id,
        )
    held = holder(task, roles)
    return held is not None and (held.platform, held.workspace, held.user_id) == (
        user.platform,
        user.workspace,
        user.user_id,
    )


def add_task(
    uow: UnitOfWork,
    incident: Incident,
    *,
    actor: Actor,
    text: str,
    owner: Owner,
    due_at: datetime | None,
    at: datetime,
    event_id: str = "",
    playbook: str = "",
    step: int | None = None,
) -> Task:
    """A new task numbered within the incident; its TLP is its own marking, else the
    incident's. The caller holds the incident row locked (numbers are handed out in it)."""
    assert incident.id is not None
    tlp = effective_tlp(text, Tlp.parse(incident.tlp))
    task = Task(
        incident_id=incident.id,
        number=uow.tasks.next_number(incident.id),
        text=text,
        tlp=tlp.label,
        said_org=actor.org,
        due_at=due_at,
        playbook=playbook,
        step=step,
        created_at=at,
        created_by=actor.user.user_id,
    )
    set_owner(uow, incident, task, owner, at)
    uow.tasks.add(task)
    details = (
        [phrase("owner {owner}", owner=owner.label)] if owner.kind is not OwnerKind.NOBODY else []
    )
    details += [phrase("due {when}", when=due_at)] if due_at else []
    details += [phrase("playbook {name}", name=playbook)] if playbook else []
    # a playbook's text is said in each reader's language; the entry's English is the same
    said_text: str | Phrase = Phrase(text) if playbook else text
    said = (
        phrase(
            "Task #{number} added ({details}): {text}",
            number=task.number,
            details=_listed(details),
            text=said_text,
        )
        if details
        else phrase("Task #{number} added: {text}", number=task.number, text=said_text)
    )
    _record(uow, incident, task, actor, said, at, event_id)
    return task


def _listed(items: Sequence[Phrase]) -> Phrase:
    """Details of a task, one after the other, each said in the reader's language."""
    listed = items[0]
    for item in items[1:]:
        listed = phrase("{details}, {detail}", details=listed, detail=item)
    return listed


def done(
    uow: UnitOfWork, incident: Incident, task: Task, *, actor: Actor, note: str, at: datetime
) -> None:
    uow.tasks.set_done(task, at, actor.user.user_id, actor.user.display)
    text = (
        phrase("Task #{number} done: {note}", number=task.number, note=note)
        if note
        else phrase("Task #{number} done", number=task.number)
    )
    noted = effective_tlp(note, Tlp.parse(incident.tlp)) if note else Tlp.CLEAR
    _record(uow, incident, task, actor, text, at, tlp=max(parse_tlp(task.tlp), noted))


def reopen(uow: UnitOfWork, incident: Incident, task: Task, *, actor: Actor, at: datetime) -> None:
    uow.tasks.set_done(task, None)
    _record(uow, incident, task, actor, phrase("Task #{number} reopened", number=task.number), at)


def assign(
    uow: UnitOfWork, incident: Incident, task: Task, *, actor: Actor, owner: Owner, at: datetime
) -> None:
    was = owner_of(task).label or phrase("nobody")
    set_owner(uow, incident, task, owner, at)
    uow.save(task)
    text = phrase(
        "Task #{number} assigned to {owner} (was {was})",
        number=task.number,
        owner=owner.label,
        was=was,
    )
    _record(uow, incident, task, actor, text, at)


def set_due(
    uow: UnitOfWork,
    incident: Incident,
    task: Task,
    *,
    actor: Actor,
    due_at: datetime,
    at: datetime,
) -> None:
    was = due_times.moved(uow, task, due_at)
    text = phrase(
        "Task #{number} due {when} (was {was})", number=task.number, when=due_at, was=was
    )
    _record(uow, incident, task, actor, text, at)


def _record(
    uow: UnitOfWork,
    incident: Incident,
    task: Task,
    actor: Actor,
    text: Phrase,
    at: datetime,
    event_id: str = "",
    *,
    tlp: Tlp | None = None,
) -> None:
    assert incident.id is not None
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.TASK,
        actor=actor,
        text=text,
        source_event_id=event_id,
        tlp=tlp or parse_tlp(task.tlp),  # an entry about a task is as secret as its text
    )
    # once per transaction: delivered after its commit, one refresh shows all it did (and
    # one already waiting to be delivered will show this too)
    kind = SyncChecklists.kind
    if uow.once(kind, incident.id) and not uow.delivery_waits(kind, incident.id):
        queue(uow, SyncChecklists(), at=at, incident_id=incident.id)
    # A task ticked off needs no new plan: the job armed for it finds nothing when it fires,
    # and plans the next waiting task then. Nor does one due after another that waits: the
    # job is armed for that one or earlier, and plans the next when it fires.
    if task.due_at is not None and task.reminded_at is None and task.done_at is None:
        _replan_if_first(uow, incident.id, task.number, task.due_at)


def _replan_if_first(uow: UnitOfWork, incident_id: int, number: int, due_at: datetime) -> None:
    key = ("reminders.touch", incident_id)
    if uow.did(*key) or uow.tasks.waits_by(incident_id, due_at, besides=number):
        return
    uow.once(*key)
    uow.reminders.touch(incident_id)  # the due-task reminder is (re)planned
    uow.changes.append(IncidentChanged(incident_id, EntryKind.TASK, replan=True))


def apply_playbook(
    uow: UnitOfWork, incident: Incident, playbook: Playbook, *, actor: Actor, at: datetime
) -> list[Task] | None:
    """Run `playbook` in the incident: its tasks for the stages reached so far, the rest as
    the incident reaches theirs. None when it runs there already."""
    assert incident.id is not None
    run = PlaybookRun(
        incident_id=incident.id,
        playbook=playbook.name,
        applied_at=at,
        applied_by=actor.user.user_id,
        applied_org=actor.org,
    )
    if not uow.playbooks.add(run):
        return None
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.PLAYBOOK,
        actor=actor,
        text=phrase(
            "Playbook {name} applied: {title}", name=playbook.name, title=Phrase(playbook.title)
        ),
    )
    return add_reached_steps(uow, incident, playbook, actor=actor, at=at)


def add_reached_steps(
    uow: UnitOfWork,
    incident: Incident,
    playbook: Playbook,
    *,
    actor: Actor,
    at: datetime,
    strict: bool = True,
) -> list[Task]:
    """The playbook's tasks whose stage the incident has reached and that it lacks. An owner
    naming an organisation not in the incident is an OwnerError, or with `strict` False
    (a state change, which a playbook must not block) leaves the task unowned."""
    assert incident.id is not None
    added_before = uow.tasks.steps_added(incident.id, playbook.name)
    orgs = uow.incidents.orgs(incident.id)
    speed = speed_of(uow, incident)  # an exercise's `--speed` runs its playbook as fast
    added = []
    for number, step in enumerate(playbook.steps, start=1):
        if number in added_before or not has_reached(incident.state, step.after):
            continue
        owner = _owner(step.owner, orgs, strict=strict)
        added.append(
            add_task(
                uow,
                incident,
                actor=actor,
                text=step.text,
                owner=owner,
                due_at=at + scaled(step.due, speed) if step.due else None,
                at=at,
                playbook=playbook.name,
                step=number,
            )
        )
    return added


def after_state_change(
    uow: UnitOfWork, incident: Incident, playbooks: Mapping[str, Playbook], *, at: datetime
) -> list[Task]:
    """The tasks of the incident's playbooks that its new state brings, each said by the
    organisation that applied the playbook."""
    assert incident.id is not None
    added: list[Task] = []
    for run in uow.playbooks.for_incident(incident.id):
        playbook = playbooks.get(run.playbook)
        if playbook is None or not any(s.after is not After.OPEN for s in playbook.steps):
            continue
        actor = Actor(incidents.BOT.user, run.applied_org)
        added += add_reached_steps(uow, incident, playbook, actor=actor, at=at, strict=False)
    return added


def _owner(raw: str, orgs: Sequence[str], *, strict: bool) -> Owner:
    if not raw:
        return NOBODY
    try:
        return parse_owner(raw, orgs=orgs)
    except OwnerError:
        if strict:
            raise
        return NOBODY
