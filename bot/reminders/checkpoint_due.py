"""Checkpoints on a clock: every `[audit] checkpoint_interval`, each open incident whose
timeline grew since its last checkpoint gets a new one. One scheduler job (`checkpoints`,
no ids) does it; the incidents are locked, so a job firing twice signs each head once."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.operations.checkpoints import Checkpointer, take
from warroom.storage.store import UnitOfWork

JOB_ID = "checkpoints"


def check(uow: UnitOfWork, *, now: datetime, checkpointer: Checkpointer) -> tuple[int, datetime]:
    """Checkpoint what grew; how many were taken, and when to look again."""
    behind = set(uow.checkpoints.behind())
    found = uow.reminders.incidents(sorted(behind))
    still = set(uow.checkpoints.behind())  # locked now: none taken meanwhile is signed again
    taken = 0
    for incident_id in sorted(found.keys() & still):
        incident = found[incident_id]
        take(uow, incident, key=checkpointer.key, config=checkpointer.config, at=now)
        taken += 1
    uow.hints.outbox = uow.hints.outbox or bool(taken)
    return taken, now + checkpointer.config.audit.checkpoint_interval
