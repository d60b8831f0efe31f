"""What reminders, escalations and digests say: pure functions of stored rows, in the
reading room's language, with times in its zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.exercise_mark import about
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import kind_label
from warroom.bot.operations.cards import Shown
from warroom.storage.models import Incident, RoleAssignment, TimelineEntry

DIGEST_LINES = 100


def user_of(role: RoleAssignment | None) -> UserRef | None:
    if role is None:
        return None
    return UserRef(role.platform, role.workspace, role.user_id, role.display)


COMMAND_WORD = "/incident"  # where the platform's adapter names none of its own


def severity(incident: Incident) -> str:
    """`SEV2`: a token typed the same in every language."""
    return f"SEV{incident.severity}"


def overdue(since: datetime, now: datetime, lang: Language) -> str:
    """`2 hours 35 minutes`: to the minute, as a reminder counts (rounding would mislead)."""
    seconds = max(0, int((now - since).total_seconds()))
    return lang.exact_duration(seconds - seconds % 60 if seconds >= 60 else seconds)


def ago(since: datetime, now: datetime, lang: Language) -> str:
    """`19:32 MEZ (vor 2 Stunden)`: CLDR's own "ago", which a bare duration cannot say."""
    relative = format_timedelta(
        since - now, threshold=1.0, add_direction=True, format="long", locale=lang.locale
    )
    return f"{lang.time(since)} ({relative})"


def reminder(
    incident: Incident,
    commander: UserRef | None,
    *,
    since: datetime,
    cadence: timedelta,
    now: datetime,
    word: str,
    lang: Language,
) -> Message:
    """`word` is the command word of the room's platform (`/incident`, `!incident`)."""
    who = commander.name if commander else lang.gettext("Commander (nobody holds the role)")
    late = lang.format(
        "{who}, no status update on {key} for {overdue} (since {since}): "
        "{severity} asks for one every {cadence}.",
        who=who,
        key=incident.key,
        overdue=overdue(since, now, lang),
        since=lang.time(since),
        severity=severity(incident),
        cadence=lang.exact_duration(cadence),
    )
    answer = lang.format(
        "Answer here with `{word} update WHAT CHANGED` "
        "(add `--state STATE` when it moves on from {state}).",
        word=word,
        state=incident.state,
    )
    return Message(
        title=lang.format("⏰ {key}: status update overdue", key=incident.key),
        body=f"{late}\n{answer}",
        mentions=(commander,) if commander else (),
        tlp=incident.tlp,
    )


def escalation(
    incident: Incident,
    deputy: UserRef | None,
    commander: UserRef | None,
    *,
    since: datetime,
    now: datetime,
    word: str,
    lang: Language,
) -> Message:
    values = {
        "commander": commander.name if commander else lang.gettext("the commander"),
        "key": incident.key,
        "overdue": overdue(since, now, lang),
        "word": word,
    }
    if deputy is not None:
        body = lang.format(
            "{deputy}, the reminder to {commander} went unanswered: no status update on {key} "
            "for {overdue}. Please post one with `{word} update ...`.",
            deputy=deputy.name,
            **values,
        )
    else:
        body = lang.format(
            "No deputy is assigned; the reminder to {commander} went unanswered: no status "
            "update on {key} for {overdue}. Please post one with `{word} update ...`.",
            **values,
        )
    return Message(
        title=lang.format("⚠ {key}: status update overdue, escalated", key=incident.key),
        body=body,
        mentions=(deputy,) if deputy else (),
        tlp=incident.tlp,
    )


def escalation_notice(
    incident: Incident,
    *,
    commander: UserRef | None,
    deputy: UserRef | None,
    since: datetime,
    now: datetime,
    title: str,
    lang: Language,
) -> Message:
    """For the org's digest room, where managers read: no mentions, no TLP-restricted text.
    `title` is `INC-1: ...` as the disclosure rule lets that org see it."""
    fields = (
        Field(lang.gettext("Severity"), severity(incident)),
        Field(lang.gettext("State"), incident.state),
        Field(lang.gettext("Commander"), commander.name if commander else "-"),
        Field(lang.gettext("Deputy"), deputy.name if deputy else lang.gettext("none assigned")),
        Field(lang.gettext("Last status update"), ago(since, now, lang)),
    )
    heading = lang.format("⚠ {title} — status update overdue, escalated", title=title)
    return about(Message(title=heading, fields=fields), lang, exercise=incident.exercise)


def digest_line(entry: TimelineEntry, text: str, lang: Language) -> str:
    """One timeline entry as a digest shows it: the time in the reader's zone."""
    who = entry.actor_display or entry.actor_user_id
    org = f"@{entry.actor_org}" if entry.actor_org else ""
    kind = kind_label(entry.kind, lang)
    return f"#{entry.seq} {lang.time(entry.at)} [{kind}] {who}{org}: {text}"


def _took(seconds: float | None, lang: Language) -> str:
    return "-" if seconds is None else lang.exact_duration(seconds)


def digest(
    incident: Incident,
    entries: Shown,
    *,
    commander: str,
    title: str,
    banner: Tlp | None,
    lang: Language,
    metrics: dict[str, float | None] | None = None,
) -> Message:
    """The timeline since the last digest as the reading org may see it (visibility.py);
    `title` is `INC-1 digest: ...`, or the withheld-title line."""
    fields = [
        Field(lang.gettext("Severity"), severity(incident)),
        Field(lang.gettext("State"), incident.state),
        Field(lang.gettext("Commander"), commander or "-"),
    ]
    if metrics is not None:
        took = {key: _took(value, lang) for key, value in metrics.items()}
        fields += [
            Field(lang.gettext("Time to acknowledge"), took["time_to_acknowledge_s"]),
            Field(lang.gettext("Time to contain"), took["time_to_contain_s"]),
            Field(lang.gettext("Time to resolve"), took["time_to_resolve_s"]),
        ]
    shown = list(entries)[-DIGEST_LINES:]
    lines = [digest_line(e, text, lang) for e, text in shown]
    earlier = len(entries) - len(shown)
    if earlier:
        more = lang.ngettext(
            "… {n} earlier entry in `export`", "… {n} earlier entries in `export`", earlier
        )
        lines.insert(0, more.format(n=earlier))
    body = "\n".join(lines) if lines else lang.gettext("No new timeline entries you may see.")
    return Message(
        title=f"📋 {title}",
        body=body,
        fields=tuple(fields),
        tlp=banner.label if banner is not None and shown else None,
    )


def task_due(
    key: str,
    number: int,
    text: str,
    *,
    owner: UserRef | None,
    owner_label: str,
    due_at: datetime,
    tlp: str,
    word: str,
    lang: Language,
) -> Message:
    """A due task's one reminder in a war room: `text` as the room's org may see it, `owner`
    the person to mention (a role's current holder), `owner_label` who it is without one."""
    who = owner.name if owner is not None else owner_label
    body = lang.format(
        "{who}, task #{number} was due at {when}: {text}",
        who=who,
        number=number,
        when=lang.time(due_at),
        text=text,
    )
    how = lang.format(
        "Tick it off with `{word} task done {number}`, "
        "or give it more time with `{word} task due {number} DURATION`.",
        word=word,
        number=number,
    )
    return Message(
        title=lang.format("⏰ {key}: task #{number} is due", key=key, number=number),
        body=f"{body}\n{how}",
        mentions=(owner,) if owner is not None else (),
        tlp=tlp,
    )


def with_open_tasks(message: Message, lines: list[str], lang: Language, *, tlp: str) -> Message:
    """A final digest with the tasks left open at `resolve` below its timeline."""
    heading = lang.ngettext(
        "**{n} task still open:**", "**{n} tasks still open:**", len(lines)
    ).format(n=len(lines))
    return replace(message, body="\n".join([message.body, "", heading, *lines]), tlp=tlp)
