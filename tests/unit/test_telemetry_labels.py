"""Metric labels come from fixed sets: each reason the rule gives for withholding a copy has
its own label, and a platform's 429 is told apart from other failures."""

from __future__ import annotations

from warroom.bot.domain.language import phrase
from warroom.bot.domain.port import AdapterError
from warroom.bot.domain.sharing import Agreement, withheld_because
from warroom.bot.domain.telemetry import ErrorKind
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.relay import RelayOutcome, decisions
from warroom.bot.runtime.outbox import failure_kind

AGREEMENTS = (Agreement(orgs=("acme", "cert"), max_tlp=Tlp.GREEN),)


def reason(tlp: Tlp, to_org: str, incident: tuple[str, ...] = ("acme", "cert")) -> str:
    said = withheld_because(
        AGREEMENTS, tlp, from_org="acme", to_org=to_org, incident_orgs=incident
    )
    assert said is not None
    outcome = RelayOutcome()
    outcome.withheld.append((to_org, said))
    ((_, label),) = decisions(outcome)
    return label


def test_every_withholding_reason_has_its_own_label() -> None:
    assert reason(Tlp.RED, "cert") == "red"
    assert reason(Tlp.AMBER_STRICT, "cert") == "amber_strict"
    assert reason(Tlp.AMBER, "cloud") == "not_in_incident"
    assert reason(Tlp.GREEN, "cloud", ("acme", "cert", "cloud")) == "no_agreement"
    assert reason(Tlp.AMBER, "cert") == "above_cap"


def test_relayed_copies_and_unknown_reasons_stay_in_the_set() -> None:
    outcome = RelayOutcome()
    outcome.relayed_to += ["cert", "cloud"]
    outcome.withheld.append(("evil", phrase("a reason no table knows")))
    assert decisions(outcome) == [
        ("relayed", "allowed"),
        ("relayed", "allowed"),
        ("withheld", "other"),
    ]


def test_a_429_is_told_apart_from_other_failures() -> None:
    assert failure_kind(AdapterError("slow down", rate_limited=True)) is ErrorKind.RATE_LIMITED
    assert failure_kind(AdapterError("gone")) is ErrorKind.ERROR
    assert failure_kind(ValueError("bad payload")) is ErrorKind.ERROR
