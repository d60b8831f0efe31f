"""TLP 2.0 sharing rules between organisations (DESIGN.md, "Cross-organisation rooms")."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.tlp import Tlp


@dataclass(frozen=True)
class Agreement:
    """A sharing agreement (`[[sharing]]`): what may pass between these orgs, up to `max_tlp`."""

    orgs: tuple[str, ...]
    max_tlp: Tlp = Tlp.RED


def agreement_cap(agreements: Sequence[Agreement], a: str, b: str) -> Tlp | None:
    """The highest TLP the agreement between `a` and `b` carries; None without one."""
    if a == b:
        return Tlp.RED
    caps = [s.max_tlp for s in agreements if a in s.orgs and b in s.orgs]
    return max(caps) if caps else None


def withheld_because(
    agreements: Sequence[Agreement],
    tlp: Tlp,
    *,
    from_org: str,
    to_org: str,
    incident_orgs: Collection[str],
    same_room: bool = False,
) -> Phrase | None:
    """Why something marked `tlp`, said by `from_org`, may not reach `to_org`; None if it may.

    RED stays in the room where it was said; AMBER+STRICT within the sender's organisation;
    AMBER within the organisations taking part; GREEN and CLEAR go everywhere the incident
    is linked. Between two organisations, never above their agreement's cap.
    """
    if same_room:
        return None
    if tlp is Tlp.RED:
        return phrase("TLP:RED stays in the room where it was said")
    if to_org == from_org:
        return None
    if tlp is Tlp.AMBER_STRICT:
        return phrase("TLP:AMBER+STRICT stays within {org}", org=from_org)
    if tlp is Tlp.AMBER and to_org not in incident_orgs:
        return phrase(
            "TLP:AMBER goes only to organisations in the incident, and {org} is not", org=to_org
        )
    cap = agreement_cap(agreements, from_org, to_org)
    if cap is None:
        return phrase(
            "there is no sharing agreement between {sayer} and {reader}",
            sayer=from_org,
            reader=to_org,
        )
    if tlp > cap:
        return phrase(
            "TLP:{tlp} is above the TLP:{cap} agreed between {sayer} and {reader}",
            tlp=tlp.label,
            cap=cap.label,
            sayer=from_org,
            reader=to_org,
        )
    return None


def within_cap(agreements: Sequence[Agreement], tlp: str, a: str, b: str) -> bool:
    """May something marked `tlp` pass between orgs `a` and `b` under their agreement?"""
    cap = agreement_cap(agreements, a, b)
    try:
        return cap is not None and Tlp.parse(tlp) <= cap
    except ValueError:
        return False  # an unknown marking is treated as the most restrictive
