"""An incident's tasks in the export: each as the viewing organisation may see it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.tasks import OwnerKind, is_overdue
from warroom.bot.operations.checklist import visible
from warroom.bot.operations.tasks import holder, in_language, owner_of
from warroom.bot.operations.visibility import Visibility, redacted
from warroom.storage.models import RoleAssignment, Task


def shown_tasks(
    seen: Visibility, tasks: Sequence[Task], as_org: str | None
) -> list[tuple[Task, str]]:
    """Every task (secrets redacted), or those `as_org` may see: the others are absent."""
    if as_org is None:
        lang = seen.language("")  # the export's language
        return [(t, in_language(t, redacted(t.text), lang)) for t in tasks]
    return list(visible(seen, tasks, as_org, Where.VIEW))


def task_entries(
    shown: Sequence[tuple[Task, str]],
    roles: Sequence[RoleAssignment],
    iso: Callable[[datetime | None], str | None],
) -> list[dict[str, Any]]:
    return [_entry(task, text, roles, iso) for task, text in shown]


def _entry(
    task: Task,
    text: str,
    roles: Sequence[RoleAssignment],
    iso: Callable[[datetime | None], str | None],
) -> dict[str, Any]:
    owner = owner_of(task)
    held = holder(task, roles)
    user = owner.user
    return {
        "number": task.number,
        "text": text,
        "owner": {
            "kind": owner.kind.value or None,
            "label": owner.label or None,
            "role": owner.role or None,
            "scope_org": owner.scope_org or None,
            "platform": user.platform if user else (held.platform if held else None),
            "user_id": user.user_id if user else (held.user_id if held else None),
            "display": user.display if user else (held.display if held else None),
            "org": held.org if held else None,
        }
        if owner.kind is not OwnerKind.NOBODY
        else None,
        "due_at": iso(task.due_at),
        "done_at": iso(task.done_at),
        "done_by": (
            {"user_id": task.done_by, "display": task.done_by_display} if task.done_at else None
        ),
        "playbook": task.playbook or None,
        "tlp": task.tlp,
    }


def task_metrics(shown: Sequence[tuple[Task, str]], now: datetime) -> dict[str, int]:
    """Counts of the tasks shown; overdue: past due and not done by then (late ones too)."""
    return {
        "tasks_done": sum(1 for t, _ in shown if t.done_at is not None),
        "tasks_total": len(shown),
        "tasks_overdue": sum(1 for t, _ in shown if is_overdue(t.due_at, t.done_at, now)),
    }
