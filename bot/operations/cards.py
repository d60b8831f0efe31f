"""Messages the bot shows: the summary card, timelines, role lists, incident lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import Role
from warroom.bot.operations.metrics import duration
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.storage.models import Incident, RoleAssignment, TimelineEntry

STATE_ICONS = {
    "investigating": "🔎",
    "identified": "🎯",
    "contained": "🧱",
    "monitoring": "👀",
    "resolved": "✅",
    "closed": "🔒",
}


def when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def holder_name(roles: Sequence[RoleAssignment], role: str) -> str:
    names = [r.display or r.user_id for r in roles if r.role == role]
    return ", ".join(names) if names else "-"


def holder(roles: Sequence[RoleAssignment], role: str) -> UserRef | None:
    found = next((r for r in roles if r.role == role), None)
    if found is None:
        return None
    return UserRef(found.platform, found.workspace, found.user_id, found.display)


def topic(incident: Incident, roles: Sequence[RoleAssignment]) -> str:
    drill = "EXERCISE · " if incident.exercise else ""
    return (
        f"{drill}SEV{incident.severity} · {incident.state} · "
        f"commander: {holder_name(roles, 'commander')} · TLP:{incident.tlp}"
    )


def summary_card(
    incident: Incident,
    roles: Sequence[RoleAssignment],
    *,
    title: str,
    last_update: str = "",
    tlp: Tlp | None = None,
) -> Message:
    """`title` and `last_update` as the room's organisation may see them (visibility.py);
    `tlp`, the banner, the highest of what the card holds."""
    fields = [
        Field("Severity", f"SEV{incident.severity}"),
        Field("State", f"{STATE_ICONS.get(incident.state, '')} {incident.state}".strip()),
        Field("TLP", incident.tlp),
        Field("Commander", holder_name(roles, Role.COMMANDER)),
    ]
    fields += [
        Field(_role_label(r), r.display or r.user_id) for r in roles if r.role != Role.COMMANDER
    ]
    fields.append(Field("Opened", when(incident.opened_at)))
    if incident.resolved_at:
        fields.append(Field("Resolved", when(incident.resolved_at)))
    if last_update:
        fields.append(Field("Last update", last_update))
    drill = " [EXERCISE]" if incident.exercise else ""
    banner = (tlp or Tlp.parse(incident.tlp)).label
    return Message(title=f"{title}{drill}", fields=tuple(fields), tlp=banner)


def _role_label(role: RoleAssignment) -> str:
    label = role.role.replace("-", " ").capitalize()
    return f"{label} ({role.scope_org})" if role.scope_org else label


def roles_message(incident: Incident, roles: Sequence[RoleAssignment]) -> Message:
    if not roles:
        return Message(title=f"{incident.key} roles", body="No roles assigned.")
    fields = tuple(
        Field(_role_label(r), f"{r.display or r.user_id} ({r.org}) since {when(r.assigned_at)}")
        for r in roles
    )
    return Message(title=f"{incident.key} roles", fields=fields)


Shown = Sequence[tuple[TimelineEntry, str]]  # entries with the text the reader may see


def timeline_line(entry: TimelineEntry, text: str) -> str:
    who = entry.actor_display or entry.actor_user_id
    org = f"@{entry.actor_org}" if entry.actor_org else ""
    return f"#{entry.seq} {entry.at:%H:%M:%S} [{entry.kind}] {who}{org}: {text}"


def timeline_message(incident: Incident, shown: Shown, *, tlp: Tlp) -> Message:
    body = "\n".join(timeline_line(e, t) for e, t in shown) or "The timeline is empty."
    return Message(title=f"{incident.key} timeline ({len(shown)} shown)", body=body, tlp=tlp.label)


def incident_list(listed: Sequence[tuple[Incident, str]]) -> Message:
    """Open incidents with their titles as the reader may see them (`INC-1: ...`)."""
    if not listed:
        return Message(title="Open incidents", body="No open incidents.")
    lines = [
        f"{i.key}  SEV{i.severity}  {i.state:<13} TLP:{i.tlp:<12} "
        + title.removeprefix(f"{i.key}: ")
        + ("  [EXERCISE]" if i.exercise else "")
        for i, title in listed
    ]
    return Message(title="Open incidents", body="\n".join(lines))


def final_report(
    incident: Incident,
    shown: Shown,
    metrics: dict[str, float | None],
    *,
    title: str,
    tlp: Tlp,
) -> Message:
    fields = (
        Field("Time to acknowledge", duration(metrics["time_to_acknowledge_s"])),
        Field("Time to contain", duration(metrics["time_to_contain_s"])),
        Field("Time to resolve", duration(metrics["time_to_resolve_s"])),
    )
    body = "\n".join(timeline_line(e, t) for e, t in shown)
    resolved = title.replace(f"{incident.key}: ", f"{incident.key} resolved: ", 1)
    return Message(title=resolved, body=body, fields=fields, tlp=tlp.label)


def room_card(
    seen: Visibility, roles: Sequence[RoleAssignment], updates: Sequence[TimelineEntry], org: str
) -> Message:
    """The summary card in `org`'s rooms: its title and last update as it may see them."""
    last = seen.latest(updates, org, Where.ROOM)
    held = [seen.title_said, *([seen.said(last[0])] if last else [])]
    return summary_card(
        seen.incident,
        roles,
        title=seen.title(org, Where.ROOM),
        last_update=last[1] if last else "",
        tlp=max(max(s.tlp for s in held), parse_tlp(seen.incident.tlp)),
    )
