"""Due exercise moments: injects to deliver and windows to close, across every running
exercise. One scheduler job (`exercises`) wakes at the earliest of them; each check locks
the runs' incidents first, in id order, as commands lock them, so a job firing twice, or a
command racing it, delivers an inject once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.operations import exercises
from warroom.bot.operations.exercise_runs import Run
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)
JOB_ID = "exercises"


@dataclass(frozen=True)
class Checked:
    moved: int  # exercises moved on
    next_at: datetime | None  # when the next moment falls due
    running: set[int]  # the incidents whose exercise goes on


def check(uow: UnitOfWork, *, now: datetime, config: Config, also: int | None = None) -> Checked:
    """Move on every exercise with something due by `now` (and `also`'s, whose timeline
    changed)."""
    ids = set(uow.exercises.due(now)) | ({also} if also is not None else set())
    found = uow.reminders.incidents(ids)
    moved = 0
    for incident in found.values():
        run = Run.of(uow, incident)
        if run is None or not run.running:
            continue
        exercises.progress(uow, run, now=now, config=config)
        moved += 1
    uow.hints.outbox = uow.hints.outbox or bool(moved)
    return Checked(moved, uow.exercises.next_due(), uow.exercises.running())
