"""The checklist: an incident's tasks as one organisation may see them, in its language.

A war room's checklist is posted and pinned at the first task its organisation may see and
edited in place afterwards (runtime/checklists.py); `tasks` answers with the same lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

from warroom.bot.domain.disclosure import Said, Where
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import ChecklistItem, Message
from warroom.bot.domain.tasks import OwnerKind, is_overdue
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.tasks import TaskFacts, holder, owner_of, shown_text
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.storage.models import RoleAssignment
from warroom.storage.tasks import TaskMark

Shown = Sequence[tuple[TaskFacts, str]]  # tasks with the text the reader may see
T = TypeVar("T", bound=TaskFacts)


def visible(
    seen: Visibility, tasks: Sequence[T], reader: str, where: Where
) -> list[tuple[T, str]]:
    """The tasks `reader`'s organisation may see there; the others are absent."""
    shown: list[tuple[T, str]] = []
    for task in tasks:
        text = shown_text(seen, task, reader, where)
        if text is not None:
            shown.append((task, text))
    return shown


def owner_text(task: TaskFacts, roles: Sequence[RoleAssignment], lang: Language) -> str:
    """`@bob`, `tech-lead (bob)`, `liaison:cert (nobody yet)`; "" for an unowned task."""
    owner = owner_of(task)
    if owner.kind is not OwnerKind.ROLE:
        return owner.label
    held = holder(task, roles)
    name = (held.display or held.user_id) if held else lang.gettext("nobody yet")
    return f"{owner.label} ({name})"


def task_line(
    task: TaskFacts,
    text: str,
    roles: Sequence[RoleAssignment],
    lang: Language,
    *,
    now: datetime | None = None,
) -> str:
    return _line(task, text, task_details(task, roles, lang, now=now))


def _line(task: TaskFacts, text: str, details: Sequence[str]) -> str:
    head = f"{'☑' if task.done_at else '☐'} {task.number}. {text}"
    return " · ".join([head, *details])


def task_details(
    task: TaskFacts,
    roles: Sequence[RoleAssignment],
    lang: Language,
    *,
    now: datetime | None = None,
) -> list[str]:
    """Who owns it, who ticked it or when it is due: a task's line after its text."""
    parts: list[str] = []
    who = owner_text(task, roles, lang)
    if who:
        parts.append(who)
    if task.done_at:
        parts.append(lang.format("done by {who}", who=task.done_by_display or task.done_by))
    elif task.due_at:
        parts.append(_due(lang, task.due_at))
        if now is not None and is_overdue(task.due_at, None, now):
            parts.append("⚠ " + lang.gettext("overdue"))
    return parts


@lru_cache(maxsize=4096)
def _due(lang: Language, at: datetime) -> str:
    """`due Nov 20, 2026, 19:32 CET`: the same few due times come back in every checklist
    of an incident (a playbook's tasks), and CLDR formatting is what a line costs most."""
    return lang.format("due {when}", when=at)


def task_list(
    seen: Visibility,
    shown: Shown,
    roles: Sequence[RoleAssignment],
    lang: Language,
    *,
    title: str,
    now: datetime | None = None,
) -> Message:
    """The lines of `shown`, with each as a checklist item for platforms with checkboxes;
    the banner is the highest TLP of what it holds."""
    details = [task_details(t, roles, lang, now=now) for t, _ in shown]
    lines = [_line(t, text, said) for (t, text), said in zip(shown, details, strict=True)]
    items = tuple(
        ChecklistItem(t.number, text, t.done_at is not None, " · ".join(said))
        for (t, text), said in zip(shown, details, strict=True)
    )
    held = [parse_tlp(t.tlp) for t, _ in shown]
    banner = max([*held, parse_tlp(seen.incident.tlp)], default=Tlp.CLEAR)
    return Message(
        title=title,
        body="\n".join(lines) or lang.gettext("No tasks."),
        checklist=items,
        tlp=banner.label,
    )


CHECKLIST_LIMIT = 50  # tasks a war room's checklist shows: within a Slack message's blocks
# and a Matrix event's size, and a refresh that costs the same at the thousandth task


@dataclass(frozen=True)
class Window:
    """The tasks an organisation's checklist shows (by number), and the counts in its title
    (of all the tasks it may see)."""

    numbers: tuple[int, ...]
    done: int
    total: int
    open_first: bool = False  # cut short with open tasks among those shown: they came first


def window(
    seen: Visibility, marks: Sequence[TaskMark], reader: str, *, limit: int | None = None
) -> Window:
    """Which of the tasks `reader` may see its checklist shows: every one up to `limit`;
    past it the open ones first, in number order, then the latest done, so what is still to
    do is never what is cut. The rule reads a task's marking and who said it, not its text."""
    limit = CHECKLIST_LIMIT if limit is None else limit
    decided: dict[tuple[str, str], bool] = {}
    visible = []
    for mark in marks:
        key = (mark.tlp, mark.said_org)
        if key not in decided:
            said = Said("", parse_tlp(mark.tlp), mark.said_org)
            decided[key] = seen.may_see(said, reader, Where.ROOM)
        if decided[key]:
            visible.append(mark)
    done = sorted((m for m in visible if m.done_rank is not None), key=lambda m: m.done_rank or 0)
    if len(visible) <= limit:
        return Window(tuple(m.number for m in visible), len(done), len(visible))
    waiting = [m.number for m in visible if m.done_rank is None][:limit]
    latest = [m.number for m in done[: limit - len(waiting)]]
    return Window(tuple(sorted(waiting + latest)), len(done), len(visible), bool(waiting))


def room_checklist(
    seen: Visibility,
    tasks: Sequence[TaskFacts],
    roles: Sequence[RoleAssignment],
    org: str,
    lang: Language,
    *,
    posted: bool = False,
    shows: Window | None = None,
) -> Message | None:
    """The checklist in `org`'s war rooms: the tasks of `shows` (of those in `tasks`; by
    default `window` over them); None while it may see no task and none was `posted` there
    (one posted stays, empty if the org may see nothing any more)."""
    if shows is None:
        shows = window(seen, _marks(tasks), org)
    numbers = set(shows.numbers)
    shown = visible(seen, [t for t in tasks if t.number in numbers], org, Where.ROOM)
    if not shown and not posted:
        return None
    title = lang.format(
        "{key} checklist: {done} of {total} done",
        key=seen.incident.key,
        done=shows.done,
        total=shows.total,
    )
    message = task_list(seen, shown, roles, lang, title=title)
    if len(shown) < shows.total:
        counts = {"shown": len(shown), "total": shows.total}
        if shows.open_first:
            more = lang.format(
                "{shown} of {total} tasks shown, the open ones first: `tasks` lists them all.",
                **counts,
            )
        else:
            more = lang.format(
                "{shown} of {total} tasks shown, the latest done: `tasks` lists them all.",
                **counts,
            )
        message = replace(message, footer=more)
    return message


def _marks(tasks: Sequence[TaskFacts]) -> list[TaskMark]:
    """The markings of tasks read whole, ranked by when they were ticked, as storage ranks
    them."""
    ticked = sorted(((t.done_at, t.number) for t in tasks if t.done_at is not None), reverse=True)
    rank = {number: at for at, (_, number) in enumerate(ticked, start=1)}
    return [TaskMark(t.number, t.tlp, t.said_org, rank.get(t.number)) for t in tasks]


def fingerprint(message: Message) -> str:
    """What a checklist shows, so an unchanged one is not edited again."""
    data = json.dumps(message.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()
