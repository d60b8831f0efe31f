"""Tasks, the playbooks applied to incidents, and the checklist message in each war room."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from warroom.storage.models import ChecklistPost, PlaybookRun, Task
from warroom.storage.row_insert import RowInsert

_HIGHEST = select(func.max(Task.number)).where(col(Task.incident_id) == bindparam("incident"))
_TASK = select(Task).where(
    col(Task.incident_id) == bindparam("incident"), col(Task.number) == bindparam("number")
)
_WAITING_BY = (
    select(Task.number)
    .where(
        col(Task.incident_id) == bindparam("incident"),
        col(Task.done_at).is_(None),
        col(Task.reminded_at).is_(None),
        col(Task.due_at).is_not(None),
        col(Task.due_at) <= bindparam("by"),
        col(Task.number) != bindparam("besides"),
    )
    .limit(1)
)
_INSERT = RowInsert(Task)
_CHUNK = 500  # numbers per IN list: well within every database's limit on parameters
_TASKS = (
    select(Task).where(col(Task.incident_id) == bindparam("incident")).order_by(col(Task.number))
)


@dataclass(frozen=True, slots=True)
class ListedTask:
    """A task as its checklist line reads it, without the ORM's bookkeeping: a refresh reads
    every task of the incident, and building ORM objects was most of what it cost."""

    number: int
    text: str
    tlp: str
    said_org: str
    owner_kind: str
    owner_role: str
    owner_scope_org: str
    owner_platform: str
    owner_workspace: str
    owner_user_id: str
    owner_display: str
    due_at: datetime | None
    done_at: datetime | None
    done_by: str
    done_by_display: str
    playbook: str


class TaskMark(NamedTuple):
    """What the rule and a checklist's counts need of a task: no text, no times, so every
    task of a long checklist is read cheaply and only the ones it shows in full.
    `done_rank`: 1 for the task ticked most recently, 2 for the one before; None if open."""

    number: int
    tlp: str
    said_org: str
    done_rank: int | None

    @property
    def done(self) -> bool:
        return self.done_rank is not None


_TASK_TABLE = Task.__table__  # type: ignore[attr-defined]
_SET_DONE = (
    update(_TASK_TABLE)
    .where(_TASK_TABLE.c.id == bindparam("task_id"))
    .values(
        done_at=bindparam("done_at"),
        done_by=bindparam("done_by"),
        done_by_display=bindparam("done_by_display"),
    )
)
_LISTED = (
    select(*(_TASK_TABLE.c[f.name] for f in fields(ListedTask)))
    .where(_TASK_TABLE.c.incident_id == bindparam("incident"))
    .order_by(_TASK_TABLE.c.number)
)
_LISTED_NUMBERS = _LISTED.where(_TASK_TABLE.c.number.in_(bindparam("numbers", expanding=True)))
_DONE = _TASK_TABLE.c.done_at.is_not(None)
_MARKS = (
    select(
        _TASK_TABLE.c.number,
        _TASK_TABLE.c.tlp,
        _TASK_TABLE.c.said_org,
        case(
            (
                _DONE,
                func.row_number().over(
                    partition_by=_DONE,
                    order_by=(_TASK_TABLE.c.done_at.desc(), _TASK_TABLE.c.number.desc()),
                ),
            ),
            else_=None,
        ),
    )
    .where(_TASK_TABLE.c.incident_id == bindparam("incident"))
    .order_by(_TASK_TABLE.c.number)
)


class TaskRepo:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._numbers: dict[int, int] = {}  # the last number handed out here, per incident

    def next_number(self, incident_id: int) -> int:
        """The next number within the incident; the caller holds the incident row locked,
        so the highest is read once per unit of work (a playbook adds many)."""
        last = self._numbers.get(incident_id)
        if last is None:
            found = self.session.connection().execute(_HIGHEST, {"incident": incident_id})
            last = int(found.scalar_one() or 0)
        self._numbers[incident_id] = last + 1
        return last + 1

    def add(self, task: Task) -> Task:
        """Written at once, in one statement, without the ORM's flush; `task` is not tracked
        (a later change in this unit of work reads it again, as `get`)."""
        return _INSERT(self.session, task)

    def set_done(self, task: Task, at: datetime | None, by: str = "", display: str = "") -> None:
        """Tick the task off (`at` None: open it again), written at once in one statement:
        the task as read in this unit of work shows it, and is not written again."""
        done = {"done_at": at, "done_by": by, "done_by_display": display}
        self.session.connection().execute(_SET_DONE, {"task_id": task.id, **done})
        for name, value in done.items():
            set_committed_value(task, name, value)

    def get(self, incident_id: int, number: int) -> Task | None:
        params = {"incident": incident_id, "number": number}
        return self.session.exec(_TASK, params=params).first()

    def for_incident(self, incident_id: int) -> Sequence[Task]:
        return self.session.exec(_TASKS, params={"incident": incident_id}).all()

    def listed(self, incident_id: int, numbers: Collection[int] | None = None) -> list[ListedTask]:
        """The incident's tasks in number order (only these `numbers`, if given), to read
        only (their lines)."""
        self.session.flush()  # tasks added or changed in this unit of work count too
        if numbers is None:
            rows = self.session.connection().execute(_LISTED, {"incident": incident_id})
            return [ListedTask(*row) for row in rows]
        found: list[ListedTask] = []
        ordered = sorted(numbers)
        for at in range(0, len(ordered), _CHUNK):
            params = {"incident": incident_id, "numbers": ordered[at : at + _CHUNK]}
            found += [
                ListedTask(*row)
                for row in self.session.connection().execute(_LISTED_NUMBERS, params)
            ]
        return found

    def marks(self, incident_id: int) -> list[TaskMark]:
        """Every task of the incident in number order, as the rule and the counts read it."""
        self.session.flush()
        rows = self.session.connection().execute(_MARKS, {"incident": incident_id})
        return [TaskMark(*row) for row in rows]

    def waits_by(self, incident_id: int, by: datetime, *, besides: int) -> bool:
        """Whether a task other than `besides` waits for its reminder, due by `by`. (A
        change to a task read in this unit of work counts once flushed.)"""
        params = {"incident": incident_id, "by": by, "besides": besides}
        return self.session.connection().execute(_WAITING_BY, params).first() is not None

    def steps_added(self, incident_id: int, playbook: str) -> set[int]:
        """The steps of `playbook` that are tasks of the incident already."""
        query = select(Task.step).where(
            Task.incident_id == incident_id, Task.playbook == playbook, col(Task.step).is_not(None)
        )
        return {step for step in self.session.exec(query) if step is not None}

    def count(self, incident_id: int) -> int:
        query = select(func.count()).where(Task.incident_id == incident_id)
        return int(self.session.exec(query).one())


class PlaybookRunRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, run: PlaybookRun) -> bool:
        """Record that a playbook runs in the incident; False if it did already."""
        if self.session.get(PlaybookRun, (run.incident_id, run.playbook)) is not None:
            return False
        self.session.add(run)
        self.session.flush()
        return True

    def for_incident(self, incident_id: int) -> Sequence[PlaybookRun]:
        query = select(PlaybookRun).where(PlaybookRun.incident_id == incident_id)
        return self.session.exec(query.order_by(col(PlaybookRun.applied_at))).all()


class ChecklistRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, room_link_id: int) -> ChecklistPost | None:
        return self.session.get(ChecklistPost, room_link_id)

    def save(self, room_link_id: int, *, message_id: str, shown_hash: str, at: datetime) -> None:
        post = self.session.get(ChecklistPost, room_link_id)
        if post is None:
            post = ChecklistPost(room_link_id=room_link_id, message_id=message_id, posted_at=at)
        post.message_id = message_id
        post.shown_hash = shown_hash
        self.session.add(post)
        self.session.flush()
