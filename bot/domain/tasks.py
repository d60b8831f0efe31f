"""Tasks of an incident, as rules: who may own one, when a playbook's task appears, when one
is overdue. No storage here; operations/tasks.py applies them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import N_
from warroom.bot.domain.vocabulary import Role, State


class OwnerKind(StrEnum):
    NOBODY = ""
    USER = "user"  # a person, whoever holds which role
    ROLE = "role"  # whoever holds the role now: the task follows a handover


@dataclass(frozen=True)
class Owner:
    """Who a task belongs to. A role owner of `liaison` has the org in `scope_org`; an org
    given as owner is that org's liaison. A person comes with their organisation (`org`)."""

    kind: OwnerKind = OwnerKind.NOBODY
    role: str = ""
    scope_org: str = ""
    user: UserRef | None = field(default=None, compare=False)
    org: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, ...]:
        """What tells two owners apart (a display name does not)."""
        user = self.user
        who = (user.platform, user.workspace, user.user_id) if user else ()
        return (self.kind.value, self.role, self.scope_org, *who)

    @property
    def label(self) -> str:
        """How it is written: `commander`, `liaison:cert`, `@bob`."""
        if self.kind is OwnerKind.USER and self.user is not None:
            return f"@{self.user.name}"
        if self.role == Role.LIAISON:
            return f"liaison:{self.scope_org}"
        return self.role


NOBODY = Owner()
OWNER_ROLES = tuple(r.value for r in Role if r is not Role.LIAISON)


class OwnerError(ValueError):
    """`raw` names no owner; `reason` is a catalog message with `{who}` and `{roles}`."""

    def __init__(self, reason: str, who: str) -> None:
        super().__init__(reason.format(who=who, roles=", ".join(OWNER_ROLES)))
        self.reason = reason
        self.who = who


UNKNOWN_OWNER = N_(
    "unknown owner {who!r}: give @user, a role ({roles}), liaison:ORG or an organisation id"
)
BARE_LIAISON = N_("a liaison belongs to one organisation: write liaison:ORG, not {who!r}")
ORG_NOT_IN = N_("{who} does not take part in this incident")


def parse_owner(raw: str, *, orgs: Collection[str]) -> Owner:
    """A role, `liaison:ORG` or an org id (its liaison) among `orgs`, the incident's
    organisations. `@user` is the platform's to read and is not handled here."""
    word = raw.strip().lower()
    if word in OWNER_ROLES:
        return Owner(OwnerKind.ROLE, role=word)
    if word == Role.LIAISON:
        raise OwnerError(BARE_LIAISON, raw)
    prefix, colon, org = word.partition(":")
    if colon and prefix == Role.LIAISON:
        if org in orgs:
            return Owner(OwnerKind.ROLE, role=Role.LIAISON, scope_org=org)
        raise OwnerError(ORG_NOT_IN if org else UNKNOWN_OWNER, org or raw)
    if word in orgs:
        return Owner(OwnerKind.ROLE, role=Role.LIAISON, scope_org=word)
    raise OwnerError(UNKNOWN_OWNER, raw)


def owner_syntax_problem(raw: str) -> str | None:
    """Why `raw` cannot name an owner in a playbook (which knows no incident), or None."""
    word = raw.strip().lower()
    if word in OWNER_ROLES:
        return None
    prefix, colon, org = word.partition(":")
    if (colon and prefix == Role.LIAISON and org) or (not colon and word and word.isidentifier()):
        return None
    return f"{raw!r} is not a role ({', '.join(OWNER_ROLES)}), liaison:ORG or an org id"


def owner_org(raw: str) -> str | None:
    """The organisation an owner written in a playbook names, if any."""
    word = raw.strip().lower()
    if word in OWNER_ROLES:
        return None
    return word.removeprefix("liaison:")


class After(StrEnum):
    """When a playbook's task appears: once the incident has reached this stage."""

    OPEN = "open"
    IDENTIFIED = "identified"
    CONTAINED = "contained"
    RESOLVED = "resolved"


STAGES = tuple(After)
_STAGE_OF = {
    State.INVESTIGATING: After.OPEN,
    State.IDENTIFIED: After.IDENTIFIED,
    State.CONTAINED: After.CONTAINED,
    State.MONITORING: After.CONTAINED,
    State.RESOLVED: After.RESOLVED,
    State.CLOSED: After.RESOLVED,
}


def stage_of(state: str) -> After:
    """The stage a state stands at: monitoring is past containment, closed past resolution."""
    return _STAGE_OF.get(State(state), After.OPEN)


def has_reached(state: str, after: After) -> bool:
    """A task `after` a stage appears once the incident is at that stage or past it (moving
    from investigating straight to contained brings the identified tasks too)."""
    return STAGES.index(stage_of(state)) >= STAGES.index(after)


def is_overdue(due_at: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """Past its due time and not done by then (a task done late was overdue too)."""
    if due_at is None:
        return False
    return (done_at or now) > due_at
