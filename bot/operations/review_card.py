"""The post-incident review as one organisation may see it, in its language: summary,
impact, key moments, metrics, tasks, lessons and follow-ups, each text through the rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.bot.domain.disclosure import Said, Where
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind, Role
from warroom.bot.operations import checklist, followups, reviews
from warroom.bot.operations.cards import holder_name, severity
from warroom.bot.operations.metrics import in_words, metrics
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.storage.models import Lesson, Review
from warroom.storage.store import UnitOfWork


def review_card(
    uow: UnitOfWork, seen: Visibility, review: Review, reader: str, where: Where
) -> Message:
    incident = seen.incident
    assert incident.id is not None
    lang = seen.language(reader)
    roles = uow.roles.current(incident.id)
    entries = uow.timeline.entries(incident.id)
    moments = seen.entries((e for e in entries if e.kind in reviews.KEY_MOMENTS), reader, where)
    tasks = checklist.visible(seen, uow.tasks.for_incident(incident.id), reader, where)
    lessons = reviews.visible_lessons(seen, uow.reviews.lessons(incident.id), reader, where)
    actions = followups.visible(seen, uow.followups.for_incident(incident.id), reader, where)
    summary = _summary(uow, seen, reader, where)
    held = [
        *(seen.said(e).tlp for e, _ in moments),
        *(parse_tlp(t.tlp) for t, _ in tasks),
        *(parse_tlp(lesson.tlp) for lesson, _ in lessons),
        *(parse_tlp(f.tlp) for f, _ in actions),
        parse_tlp(incident.tlp),
    ]
    numbers = metrics(incident)
    done = sum(1 for t, _ in tasks if t.done_at)
    sections = [
        (
            lang.gettext("Summary"),
            [
                lang.format(
                    "{sev} · TLP:{tlp} · {state} · commander {who}",
                    sev=severity(incident.severity),
                    tlp=incident.tlp,
                    state=incident.state,
                    who=holder_name(roles, Role.COMMANDER),
                ),
                lang.format(
                    "Opened {opened}, resolved {resolved}",
                    opened=incident.opened_at,
                    resolved=incident.resolved_at or "-",
                ),
                *([summary] if summary else []),
            ],
        ),
        (
            lang.gettext("Impact"),
            [
                lang.format(
                    "{duration} from opening to resolution; organisations involved: {orgs}",
                    duration=in_words(numbers["time_to_resolve_s"], lang),
                    orgs=", ".join(uow.incidents.orgs(incident.id)),
                )
            ],
        ),
        (
            lang.gettext("Key moments"),
            [f"{lang.time(e.at)} {text}" for e, text in moments],
        ),
        (
            lang.gettext("Metrics"),
            [
                lang.format(
                    "Time to acknowledge {ack}, to contain {contain}, to resolve {resolve}",
                    ack=in_words(numbers["time_to_acknowledge_s"], lang),
                    contain=in_words(numbers["time_to_contain_s"], lang),
                    resolve=in_words(numbers["time_to_resolve_s"], lang),
                ),
                lang.format("Tasks done: {done} of {total}", done=done, total=len(tasks)),
            ],
        ),
        (
            lang.gettext("Tasks"),
            [checklist.task_line(t, text, roles, lang) for t, text in tasks]
            or [lang.gettext("No tasks.")],
        ),
        (
            lang.gettext("What went well"),
            _lessons(lessons, reviews.LessonKind.GOOD)
            or [lang.gettext("Nothing yet: `review good TEXT` adds a lesson.")],
        ),
        (
            lang.gettext("What to improve"),
            _lessons(lessons, reviews.LessonKind.IMPROVE)
            or [lang.gettext("Nothing yet: `review improve TEXT` adds a lesson.")],
        ),
        (
            lang.gettext("Follow-ups"),
            [followup_line(f, text, lang) for f, text in actions]
            or [lang.gettext("None yet: `followup add TEXT --owner WHO [--due D]`.")],
        ),
    ]
    body = "\n\n".join(f"**{head}**\n" + "\n".join(lines) for head, lines in sections if lines)
    if review.final_at is None:
        title = lang.format(
            "Post-incident review (draft): {title}", title=seen.title(reader, where)
        )
        footer = lang.gettext(
            "A draft: every organisation adds lessons with `review good TEXT` and "
            "`review improve TEXT`; the commander or deputy ends it with `review done`."
        )
    else:
        title = lang.format("Post-incident review: {title}", title=seen.title(reader, where))
        footer = lang.format(
            "Final since {when}, marked by {who}.",
            when=review.final_at,
            who=review.final_by_display or review.final_by,
        )
    return Message(title=title, body=body, footer=footer, tlp=max(held, default=Tlp.CLEAR).label)


def _lessons(shown: Sequence[tuple[Lesson, str]], kind: reviews.LessonKind) -> list[str]:
    lines = []
    for lesson, text in shown:
        if lesson.kind == kind:
            who = lesson.said_by_display or lesson.said_by
            lines.append(f"• {text} — {who} ({lesson.said_org})")
    return lines


def followup_line(
    followup: followups.Listed, text: str, lang: Language, *, now: datetime | None = None
) -> str:
    """`☐ 2. patch the VPN · @bob (commander) · due ...`."""
    parts = [f"{'☑' if followup.done_at else '☐'} {followup.number}. {text}"]
    parts.append(followups.owner_of(followup).label)
    if followup.done_at:
        parts.append(
            lang.format("done by {who}", who=followup.done_by_display or followup.done_by)
        )
    elif followup.due_at:
        parts.append(lang.format("due {when}", when=followup.due_at))
        if now is not None and followup.due_at < now:
            parts.append("⚠ " + lang.gettext("overdue"))
    return " · ".join(parts)


def _summary(uow: UnitOfWork, seen: Visibility, reader: str, where: Where) -> str | None:
    """How it ended, as said with `resolve`: under that entry's TLP."""
    incident = seen.incident
    assert incident.id is not None
    resolved = uow.timeline.latest(incident.id, EntryKind.RESOLVED)
    if not incident.summary or resolved is None:
        return None
    marked = seen.said(resolved)
    return seen.show(Said(incident.summary, marked.tlp, marked.org), reader, where)
