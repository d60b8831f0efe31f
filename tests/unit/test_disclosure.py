"""The one disclosure rule, as DESIGN.md's table has it."""

from __future__ import annotations

import pytest

from warroom.bot.domain.disclosure import (
    SHARED_RECORD,
    Said,
    Sharing,
    Where,
    disclose,
    may_see,
)
from warroom.bot.domain.sharing import Agreement
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.visibility import parse_tlp

SHARING = Sharing(
    agreements=(
        Agreement(("acme", "cert"), Tlp.RED),
        Agreement(("acme", "cloud"), Tlp.GREEN),
    ),
    incident_orgs=frozenset({"acme", "cert", "cloud"}),
)
R, AS, A, G, C = Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.GREEN, Tlp.CLEAR
ROOM, VIEW, DIGEST, HERE = Where.ROOM, Where.VIEW, Where.DIGEST, Where.SAID_ROOM


@pytest.mark.parametrize(
    ("tlp", "reader", "where", "shown"),
    [
        # the room where it was said: everything
        *[(t, "acme", HERE, True) for t in Tlp],
        # the sayer's own org: RED only in its views, never posted elsewhere
        (R, "acme", ROOM, False),
        (R, "acme", DIGEST, False),
        (R, "acme", VIEW, True),
        (AS, "acme", ROOM, True),
        (AS, "acme", DIGEST, True),
        (A, "acme", DIGEST, True),
        # another org in the incident: by TLP, and never above the agreement's cap
        (R, "cert", VIEW, False),
        (AS, "cert", ROOM, False),
        (AS, "cert", DIGEST, False),
        (A, "cert", ROOM, True),
        (A, "cert", DIGEST, True),
        (A, "cloud", ROOM, False),  # cap GREEN
        (G, "cloud", ROOM, True),
        (G, "cloud", DIGEST, True),
        (C, "cloud", DIGEST, True),
        # an org outside the incident, or with no agreement: nothing
        (C, "evil", VIEW, False),
        (G, "evil", DIGEST, False),
    ],
)
def test_the_rule_follows_the_design_table(
    tlp: Tlp, reader: str, where: Where, shown: bool
) -> None:
    assert may_see(Said("text", tlp, "acme"), reader, where, SHARING) is shown


def test_no_agreement_means_nothing_even_when_clear() -> None:
    sharing = Sharing(SHARING.agreements, frozenset({"acme", "cert", "cloud", "evil"}))
    assert not may_see(Said("hello", C, "acme"), "evil", ROOM, sharing)


def test_what_the_bot_records_for_the_incident_is_each_orgs_own() -> None:
    said = Said("alice is now commander", AS, SHARED_RECORD)
    assert may_see(said, "cloud", ROOM, SHARING)
    assert not may_see(said, "evil", ROOM, SHARING)
    red = Said("Reminder: no status update for 30m", R, SHARED_RECORD)
    assert may_see(red, "cert", VIEW, SHARING) and not may_see(red, "cert", DIGEST, SHARING)


def test_shown_text_has_its_secrets_redacted() -> None:
    said = Said("rotated: password: hunter22", G, "acme")
    assert disclose(said, "cert", ROOM, SHARING) == "rotated: password: [redacted]"
    assert disclose(Said("x", AS, "acme"), "cert", ROOM, SHARING) is None


def test_an_unknown_marking_reads_as_the_most_restrictive() -> None:
    assert parse_tlp("PURPLE") is Tlp.RED
    assert not may_see(Said("x", parse_tlp("PURPLE"), "acme"), "acme", DIGEST, SHARING)
