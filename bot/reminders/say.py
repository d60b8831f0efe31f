"""What reminders, escalations and digests say: pure functions of stored rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.cards import Shown, timeline_line
from warroom.bot.operations.metrics import duration
from warroom.bot.reminders.plan import cadence_text, overdue_for
from warroom.storage.models import Incident, RoleAssignment

DIGEST_LINES = 100


def user_of(role: RoleAssignment | None) -> UserRef | None:
    if role is None:
        return None
    return UserRef(role.platform, role.workspace, role.user_id, role.display)


COMMAND_WORD = "/incident"  # where the platform's adapter names none of its own


def reminder(
    incident: Incident,
    commander: UserRef | None,
    *,
    since: datetime,
    cadence: timedelta,
    now: datetime,
    word: str,
) -> Message:
    """`word` is the command word of the room's platform (`/incident`, `!incident`)."""
    who = f"{commander.name}, " if commander else "Commander (nobody holds the role), "
    body = (
        f"{who}no status update on {incident.key} for {overdue_for(since, now)}: "
        f"SEV{incident.severity} asks for one every {cadence_text(cadence)}.\n"
        f"Answer here with `{word} update WHAT CHANGED` "
        f"(add `--state STATE` when it moves on from {incident.state})."
    )
    return Message(
        title=f"⏰ {incident.key}: status update overdue",
        body=body,
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
) -> Message:
    boss = commander.name if commander else "the commander"
    who = f"{deputy.name}, " if deputy else "No deputy is assigned; "
    body = (
        f"{who}the reminder to {boss} went unanswered: no status update on {incident.key} "
        f"for {overdue_for(since, now)}. Please post one with `{word} update ...`."
    )
    return Message(
        title=f"⚠ {incident.key}: status update overdue, escalated",
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
) -> Message:
    """For the org's digest room, where managers read: no mentions, no TLP-restricted text.
    `title` is `INC-1: ...` as the disclosure rule lets that org see it."""
    fields = (
        Field("Severity", f"SEV{incident.severity}"),
        Field("State", incident.state),
        Field("Commander", commander.name if commander else "-"),
        Field("Deputy", deputy.name if deputy else "none assigned"),
        Field("Last status update", f"{overdue_for(since, now)} ago"),
    )
    return Message(title=f"⚠ {title} — status update overdue, escalated", fields=fields)


def digest(
    incident: Incident,
    entries: Shown,
    *,
    commander: str,
    title: str,
    banner: Tlp | None,
    metrics: dict[str, float | None] | None = None,
) -> Message:
    """The timeline since the last digest as the reading org may see it (visibility.py);
    `title` is `INC-1 digest: ...`, or the withheld-title line."""
    fields = [
        Field("Severity", f"SEV{incident.severity}"),
        Field("State", incident.state),
        Field("Commander", commander or "-"),
    ]
    if metrics is not None:
        fields += [
            Field("Time to acknowledge", duration(metrics["time_to_acknowledge_s"])),
            Field("Time to contain", duration(metrics["time_to_contain_s"])),
            Field("Time to resolve", duration(metrics["time_to_resolve_s"])),
        ]
    shown = list(entries)[-DIGEST_LINES:]
    lines = [timeline_line(e, text) for e, text in shown]
    if len(entries) > len(shown):
        lines.insert(0, f"… {len(entries) - len(shown)} earlier entries in `export`")
    body = "\n".join(lines) if lines else "No new timeline entries you may see."
    return Message(
        title=f"📋 {title}",
        body=body,
        fields=tuple(fields),
        tlp=banner.label if banner is not None and shown else None,
    )
