"""The one disclosure rule (DESIGN.md, "One disclosure rule"): what of a piece of timeline
text an organisation may see, and where.

Every path that shows timeline text to an organisation asks `disclose`: relay copies,
announcements, cards, topics and room names, answers, reports, digests, exports. Nothing
else decides. The answer is the text to show (secrets redacted) or None: withheld.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum

from warroom.bot.domain.language import Phrase, phrase
from warroom.bot.domain.redact import redact
from warroom.bot.domain.sharing import Agreement, agreement_cap
from warroom.bot.domain.tlp import Tlp, marking_in

SHARED_RECORD = ""  # the sayer of what the bot records for the whole incident: all its orgs


class Where(Enum):
    """Where the reader meets the text."""

    SAID_ROOM = "the room where it was said"
    ROOM = "another war room"  # posted for everyone in a room of the reader's org
    VIEW = "a view of the reader's org"  # an export, a private answer, a dashboard page
    DIGEST = "a digest room"


@dataclass(frozen=True)
class Said:
    """A piece of timeline text as the rule reads it: `tlp` is its effective marking (its
    own, else the incident's when it was said), `org` who said it."""

    text: str
    tlp: Tlp
    org: str


@dataclass(frozen=True)
class Sharing:
    """What the rule needs to know of the incident: its organisations and the agreements."""

    agreements: Sequence[Agreement]
    incident_orgs: Collection[str]


def effective_tlp(text: str, default: Tlp) -> Tlp:
    """The text's own marking (the most restrictive one), else `default`."""
    marking = marking_in(text)
    return default if marking is None else marking


def may_see(said: Said, reader: str, where: Where, sharing: Sharing) -> bool:
    """The table of DESIGN.md: may `reader`'s organisation see `said` there?"""
    if where is Where.SAID_ROOM:
        return True
    if said.org == SHARED_RECORD:  # said for every organisation in the incident
        if reader not in sharing.incident_orgs:
            return False
        reader = said.org
    if reader == said.org:
        # RED stays where it was said; the org's own exports and answers still hold it
        return said.tlp is not Tlp.RED or where is Where.VIEW
    if said.tlp >= Tlp.AMBER_STRICT or reader not in sharing.incident_orgs:
        return False
    cap = agreement_cap(sharing.agreements, said.org, reader)
    return cap is not None and said.tlp <= cap


def disclose(said: Said, reader: str, where: Where, sharing: Sharing) -> str | None:
    """The text `reader`'s organisation may see there, secrets redacted; None: withheld."""
    if not may_see(said, reader, where, sharing):
        return None
    return redact(said.text)[0]


def withheld_title(key: str, tlp: Tlp) -> Phrase:
    """What an organisation that may not see the title reads instead, in its language."""
    return phrase("{key} (title withheld: TLP:{tlp})", key=key, tlp=tlp.label)
