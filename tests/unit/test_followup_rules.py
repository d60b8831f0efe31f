"""Who a follow-up belongs to: a person, pinned when it is added."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.tasks import Owner, OwnerKind
from warroom.bot.operations.followups import Pinned, pin
from warroom.storage.models import RoleAssignment

AT = datetime(2026, 1, 1, tzinfo=UTC)
BOB = UserRef("slack", "T1", "U0BOB", "bob")


def held(role: str, user_id: str, org: str, scope_org: str = "") -> RoleAssignment:
    return RoleAssignment(
        incident_id=1,
        role=role,
        scope_org=scope_org,
        platform="slack",
        workspace="T1",
        user_id=user_id,
        display=user_id.lower(),
        org=org,
        assigned_at=AT,
    )


def test_a_role_is_pinned_to_its_holder_and_keeps_the_role_it_was_given_as() -> None:
    roles = [held("commander", "U0ALICE", "acme"), held("liaison", "U0CORA", "cert", "cert")]
    pinned = pin(Owner(OwnerKind.ROLE, role="liaison", scope_org="cert"), roles)
    assert pinned == Pinned(UserRef("slack", "T1", "U0CORA", "u0cora"), "cert", "liaison:cert")
    assert pinned.label == "@u0cora (liaison:cert)"


def test_a_role_nobody_holds_pins_nobody() -> None:
    assert pin(Owner(OwnerKind.ROLE, role="scribe"), [held("commander", "U0A", "acme")]) is None


def test_a_person_is_pinned_as_named() -> None:
    pinned = pin(Owner(OwnerKind.USER, user=BOB, org="acme"), [])
    assert pinned == Pinned(BOB, "acme") and pinned.label == "@bob"
