"""Re-timing an item that is reminded when due (a task, a follow-up)."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.domain.language import Phrase, phrase
from warroom.storage.models import Followup, Task
from warroom.storage.store import UnitOfWork


def moved(uow: UnitOfWork, item: Task | Followup, due_at: datetime) -> datetime | Phrase:
    """Give `item` a new due time, which earns its own reminder; what it was before."""
    was = item.due_at or phrase("no due time")
    item.due_at = due_at
    item.reminded_at = None
    uow.save(item)
    return was
