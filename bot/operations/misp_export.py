"""`warroom export --format misp`: an incident's indicators as a MISP event (PyMISP, offline),
holding only what the reader may see.

Each attribute and the event carry exactly one tag of MISP's `tlp` taxonomy (the event's is
the highest of what it holds), and a `PAP:` tag. Distribution follows TLP:

| TLP | MISP distribution |
|---|---|
| RED, AMBER+STRICT | 0, your organisation only |
| AMBER | 4, the sharing group `[intel] misp_sharing_group` names; without one, 0 |
| GREEN | 1, this community only |
| CLEAR | 3, all communities |

AMBER is for the organisations working the incident: a sharing group of exactly them is
MISP's way to say so. MISP's "connected communities" (2) reaches further than GREEN's own
community, so it is never used; lacking a sharing group, AMBER stays with your organisation.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from pymisp import MISPAttribute, MISPEvent

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.observables import ObservableType
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import State
from warroom.bot.operations.intel import IntelView, Seen

_NAMESPACE = uuid.UUID("8d7a2f64-3c55-4f0e-b1de-6a0e4f1b2c93")  # warroom's MISP uuids

ATTRIBUTE_TYPES = {
    ObservableType.IPV4: "ip-dst",
    ObservableType.IPV6: "ip-dst",
    ObservableType.DOMAIN: "domain",
    ObservableType.URL: "url",
    ObservableType.EMAIL: "email-src",
    ObservableType.MD5: "md5",
    ObservableType.SHA1: "sha1",
    ObservableType.SHA256: "sha256",
    ObservableType.CVE: "vulnerability",
}
ORGANISATION_ONLY, COMMUNITY, ALL_COMMUNITIES, SHARING_GROUP = 0, 1, 3, 4
# severity 1 is the worst; MISP's threat levels: 1 high, 2 medium, 3 low, 4 undefined
THREAT_LEVELS = {1: 1, 2: 1, 3: 2, 4: 3}
_ANALYSIS = {State.INVESTIGATING: 0, State.IDENTIFIED: 1, State.CONTAINED: 1, State.MONITORING: 1}


def tlp_tag(tlp: Tlp) -> str:
    """`tlp:amber+strict`: the MISP taxonomy's names."""
    return f"tlp:{tlp.label.lower()}"


def distribution(tlp: Tlp, sharing_group: str) -> dict[str, Any]:
    if tlp is Tlp.CLEAR:
        return {"distribution": ALL_COMMUNITIES}
    if tlp is Tlp.GREEN:
        return {"distribution": COMMUNITY}
    if tlp is Tlp.AMBER and sharing_group:
        return {"distribution": SHARING_GROUP, "sharing_group_id": sharing_group}
    return {"distribution": ORGANISATION_ONLY}


def event(
    view: IntelView,
    as_org: str | None,
    *,
    title: str,
    title_tlp: Tlp,
    sharing_group: str = "",
) -> dict[str, Any]:
    """The event for `as_org` (None: the whole record), in MISP's JSON shape."""
    incident = view.seen.incident
    shown = view.for_reader(as_org, Where.VIEW, active_only=True)
    made = MISPEvent()
    made.uuid = str(uuid.uuid5(_NAMESPACE, f"{incident.key}/{as_org or ''}"))
    made.info = title
    made.date = incident.opened_at.date()
    made.threat_level_id = THREAT_LEVELS.get(incident.severity, 4)
    made.analysis = _ANALYSIS.get(State(incident.state), 2)
    highest = max([title_tlp, *(s.tlp for s in shown)])
    for key, value in distribution(highest, sharing_group).items():
        setattr(made, key, value)
    made.add_tag(tlp_tag(highest))
    attributes = _Attributes(incident.key, view.seen.home, sharing_group)
    built: dict[str, Any] = json.loads(made.to_json())
    head = {"uuid": built.pop("uuid")}
    listed = [attributes.of(seen) for seen in shown]
    return {**head, **({"Attribute": listed} if listed else {}), **built}


class _Attributes:
    """Each attribute in the shape PyMISP writes it. The first of each type and
    distribution is built by PyMISP itself (its checks, its category and defaults for the
    type); the rest follow its shape with their own values: building 10,000 MISPAttribute
    objects and serialising them takes seconds."""

    def __init__(self, key: str, home: str, sharing_group: str) -> None:
        self.key = key
        self.home = home
        self.sharing_group = sharing_group
        self.samples: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}

    def of(self, seen: Seen) -> dict[str, Any]:
        observable = seen.observable
        kind = ObservableType(observable.type)
        shared = distribution(seen.tlp, self.sharing_group)
        values: dict[str, Any] = {
            "uuid": str(
                uuid.uuid5(_NAMESPACE, f"{self.key}/{observable.type}/{observable.value}")
            ),
            "value": seen.value,
            "to_ids": kind is not ObservableType.CVE,
            "comment": f"{self.key}, said by {seen.said_by or self.home}",
            "first_seen": seen.first_at,
            "last_seen": max(seen.last_at, seen.first_at),
            **shared,
        }
        tags = [tlp_tag(seen.tlp), f"PAP:{observable.pap}"]
        sample_key = (ATTRIBUTE_TYPES[kind], tuple(shared.items()))
        sample = self.samples.get(sample_key)
        if sample is None:
            attribute = MISPAttribute()
            attribute.from_dict(type=ATTRIBUTE_TYPES[kind], **values)
            for tag in tags:
                attribute.add_tag(tag)
            made: dict[str, Any] = json.loads(attribute.to_json())
            self.samples[sample_key] = made
            return made
        return {
            **sample,
            "uuid": values["uuid"],
            "Tag": [{"name": tag} for tag in tags],
            "value": str(values["value"]).strip(),
            "first_seen": _iso(values["first_seen"]),
            "last_seen": _iso(values["last_seen"]),
            "comment": values["comment"],
        }


def _iso(at: datetime) -> str:
    """A time as PyMISP writes it (a naive one in the local zone, as PyMISP reads it)."""
    return (at if at.tzinfo else at.astimezone()).isoformat()
