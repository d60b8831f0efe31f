"""Messages the bot shows: the summary card, timelines, role lists, incident lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.exercise_mark import about
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import Role, kind_label
from warroom.bot.operations.metrics import in_words
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


def severity(level: int) -> str:
    """`SEV2`: a token, typed and shown the same in every language."""
    return f"SEV{level}"


def when(at: datetime | None, lang: Language = ENGLISH) -> str:
    """A date and time in the reader's zone, the zone named: `Nov 20, 2026, 18:32 UTC`."""
    return lang.moment(at) if at else "-"


def holder_name(roles: Sequence[RoleAssignment], role: str) -> str:
    names = [r.display or r.user_id for r in roles if r.role == role]
    return ", ".join(names) if names else "-"


def holder(roles: Sequence[RoleAssignment], role: str) -> UserRef | None:
    found = next((r for r in roles if r.role == role), None)
    if found is None:
        return None
    return UserRef(found.platform, found.workspace, found.user_id, found.display)


def topic(incident: Incident, roles: Sequence[RoleAssignment], lang: Language = ENGLISH) -> str:
    values = {
        "severity": incident.severity,
        "state": incident.state,
        "commander": holder_name(roles, Role.COMMANDER),
        "tlp": incident.tlp,
    }
    # an exercise's rooms get it marked on the way (runtime/exercise_rooms.py)
    return lang.format("SEV{severity} · {state} · commander: {commander} · TLP:{tlp}", **values)


def summary_card(
    incident: Incident,
    roles: Sequence[RoleAssignment],
    *,
    title: str,
    last_update: str = "",
    tlp: Tlp | None = None,
    lang: Language = ENGLISH,
) -> Message:
    """`title` and `last_update` as the room's organisation may see them (visibility.py);
    `tlp`, the banner, the highest of what the card holds; labels and times in `lang`."""
    fields = [
        Field(lang.gettext("Severity"), severity(incident.severity)),
        Field(
            lang.gettext("State"),
            f"{STATE_ICONS.get(incident.state, '')} {incident.state}".strip(),
        ),
        Field(lang.gettext("TLP"), incident.tlp),
        Field(lang.gettext("Commander"), holder_name(roles, Role.COMMANDER)),
    ]
    fields += [
        Field(_role_label(r), r.display or r.user_id) for r in roles if r.role != Role.COMMANDER
    ]
    fields.append(Field(lang.gettext("Opened"), when(incident.opened_at, lang)))
    if incident.resolved_at:
        fields.append(Field(lang.gettext("Resolved"), when(incident.resolved_at, lang)))
    if last_update:
        fields.append(Field(lang.gettext("Last update"), last_update))
    banner = (tlp or Tlp.parse(incident.tlp)).label
    card = Message(title=title, fields=tuple(fields), tlp=banner)
    return about(card, lang, exercise=incident.exercise)  # marked wherever it is shown


def _role_label(role: RoleAssignment) -> str:
    """The role as typed (`tech-lead` reads `Tech lead`), the same in every language."""
    label = role.role.replace("-", " ").capitalize()
    return f"{label} ({role.scope_org})" if role.scope_org else label


def roles_message(
    incident: Incident, roles: Sequence[RoleAssignment], lang: Language = ENGLISH
) -> Message:
    title = lang.format("{key} roles", key=incident.key)
    if not roles:
        return Message(title=title, body=lang.gettext("No roles assigned."))
    fields = tuple(
        Field(
            _role_label(r),
            lang.format(
                "{who} ({org}) since {when}",
                who=r.display or r.user_id,
                org=r.org,
                when=when(r.assigned_at, lang),
            ),
        )
        for r in roles
    )
    return Message(title=title, fields=fields)


Shown = Sequence[tuple[TimelineEntry, str]]  # entries with the text the reader may see


def timeline_line(entry: TimelineEntry, text: str, lang: Language = ENGLISH) -> str:
    """`#3 19:32:05 MEZ [note] alice@acme: ...`: the time in the reader's zone."""
    who = entry.actor_display or entry.actor_user_id
    org = f"@{entry.actor_org}" if entry.actor_org else ""
    local = lang.local(entry.at)
    at = f"{local:%H:%M:%S} {lang.zone_name(local)}"
    return f"#{entry.seq} {at} [{kind_label(entry.kind, lang)}] {who}{org}: {text}"


def timeline_message(
    incident: Incident, shown: Shown, *, tlp: Tlp, lang: Language = ENGLISH
) -> Message:
    body = "\n".join(timeline_line(e, t, lang) for e, t in shown)
    return Message(
        title=lang.format("{key} timeline ({n} shown)", key=incident.key, n=len(shown)),
        body=body or lang.gettext("The timeline is empty."),
        tlp=tlp.label,
    )


def incident_list(listed: Sequence[tuple[Incident, str]], lang: Language = ENGLISH) -> Message:
    """Open incidents with their titles as the reader may see them (`INC-1: ...`)."""
    title = lang.gettext("Open incidents")
    if not listed:
        return Message(title=title, body=lang.gettext("No open incidents."))
    drill = "  " + lang.gettext("[EXERCISE]")
    lines = [
        f"{i.key}  SEV{i.severity}  {i.state:<13} TLP:{i.tlp:<12} "
        + shown.removeprefix(f"{i.key}: ")
        + (drill if i.exercise else "")
        for i, shown in listed
    ]
    return Message(title=title, body="\n".join(lines))


def final_report(
    incident: Incident,
    shown: Shown,
    metrics: dict[str, float | None],
    *,
    title: str,
    tlp: Tlp,
    lang: Language = ENGLISH,
) -> Message:
    """The resolved incident's metrics (durations in words) and timeline, in `lang`."""
    fields = (
        Field(
            lang.gettext("Time to acknowledge"), in_words(metrics["time_to_acknowledge_s"], lang)
        ),
        Field(lang.gettext("Time to contain"), in_words(metrics["time_to_contain_s"], lang)),
        Field(lang.gettext("Time to resolve"), in_words(metrics["time_to_resolve_s"], lang)),
    )
    body = "\n".join(timeline_line(e, t, lang) for e, t in shown)
    prefix = f"{incident.key}: "
    if title.startswith(prefix):
        title = lang.format(
            "{key} resolved: {title}", key=incident.key, title=title.removeprefix(prefix)
        )
    return Message(title=title, body=body, fields=fields, tlp=tlp.label)


def room_card(
    seen: Visibility, roles: Sequence[RoleAssignment], updates: Sequence[TimelineEntry], org: str
) -> Message:
    """The summary card in `org`'s rooms: its title and last update as it may see them, in
    its language and zone."""
    last = seen.latest(updates, org, Where.ROOM)
    held = [seen.title_said, *([seen.said(last[0])] if last else [])]
    return summary_card(
        seen.incident,
        roles,
        title=seen.title(org, Where.ROOM),
        last_update=last[1] if last else "",
        tlp=max(max(s.tlp for s in held), parse_tlp(seen.incident.tlp)),
        lang=seen.language(org),
    )
