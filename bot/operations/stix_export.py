"""`warroom export --format stix`: an incident's indicators as a STIX 2.1 bundle (the
`stix2` library) under TLP 2.0 markings, holding only what the reader may see.

The bundle: the five TLP 2.0 marking definitions (OASIS cti-stix-common-objects, with the
`tlp-2.0` property extension), an identity per organisation that said something in it, a
report for the incident, an indicator per active observable (a vulnerability per CVE), each
`created_by_ref` the organisation it was said by and marked with its TLP. Ids are derived
from the incident and the value (UUIDv5), so exporting twice gives the same objects.

`--stix-profile opencti` writes the marking ids OpenCTI uses instead: the TLP 1.0 objects
(WHITE for CLEAR) and OpenCTI's own TLP:AMBER+STRICT.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import stix2
from stix2.base import _STIXBase
from stix2.patterns import (
    EqualityComparisonExpression,
    ObjectPath,
    ObservationExpression,
    StringConstant,
)

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.observables import ObservableType
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.intel import IntelView, Seen

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_IDS = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
OPENCTI_AMBER_STRICT = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"
PROFILES = ("oasis", "opencti")
_NAMESPACE = uuid.UUID("5e0f3c1a-8b1d-4f4c-9a36-7d0c2b9e4a11")  # warroom's STIX ids

_PATHS = {
    ObservableType.IPV4: ("ipv4-addr", ["value"]),
    ObservableType.IPV6: ("ipv6-addr", ["value"]),
    ObservableType.DOMAIN: ("domain-name", ["value"]),
    ObservableType.URL: ("url", ["value"]),
    ObservableType.EMAIL: ("email-addr", ["value"]),
    ObservableType.MD5: ("file", ["hashes", "MD5"]),
    ObservableType.SHA1: ("file", ["hashes", "SHA-1"]),
    ObservableType.SHA256: ("file", ["hashes", "SHA-256"]),
}


def tlp2_markings() -> dict[Tlp, stix2.MarkingDefinition]:
    """The OASIS TLP 2.0 marking-definition objects (stix2 ships TLP 1.0's only)."""
    return {
        level: stix2.MarkingDefinition(
            id=marking_id,
            created=TLP2_CREATED,
            name=f"TLP:{level.label}",
            extensions={
                TLP2_EXTENSION: {
                    "extension_type": "property-extension",
                    "tlp_2_0": level.label.lower(),
                }
            },
        )
        for level, marking_id in TLP2_IDS.items()
    }


def opencti_markings() -> dict[Tlp, stix2.MarkingDefinition]:
    """The marking objects OpenCTI matches on: TLP 1.0's, WHITE for CLEAR."""
    amber_strict = stix2.MarkingDefinition(
        id=OPENCTI_AMBER_STRICT,
        created="2022-10-01T00:00:00.000Z",
        name="TLP:AMBER+STRICT",
        definition_type="statement",
        definition={"statement": "TLP:AMBER+STRICT"},
        x_opencti_definition_type="TLP",
        x_opencti_definition="TLP:AMBER+STRICT",
        allow_custom=True,
    )
    return {
        Tlp.CLEAR: stix2.TLP_WHITE,
        Tlp.GREEN: stix2.TLP_GREEN,
        Tlp.AMBER: stix2.TLP_AMBER,
        Tlp.AMBER_STRICT: amber_strict,
        Tlp.RED: stix2.TLP_RED,
    }


def pattern(kind: ObservableType, value: str) -> str:
    """`[ipv4-addr:value = '198.51.100.7']`, quotes and backslashes escaped."""
    return f"[{_path_of(kind)} = {StringConstant(value)}]"


@cache
def _path_of(kind: ObservableType) -> str:
    """`ipv4-addr:value`, `file:hashes.'SHA-256'`: as stix2's pattern objects write it."""
    sco, path = _PATHS[kind]
    comparison = EqualityComparisonExpression(ObjectPath(sco, path), StringConstant("-"))
    written = str(ObservationExpression(comparison))
    return written.removeprefix("[").removesuffix(" = '-']")


def stable_id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, '/'.join(parts))}"


def bundle(
    view: IntelView,
    as_org: str | None,
    *,
    title: str,
    title_tlp: Tlp,
    org_names: Mapping[str, str],
    profile: str = "oasis",
) -> dict[str, Any]:
    """The bundle for `as_org` (None: the whole record), in its JSON shape; `title` as that
    reader sees it."""
    incident = view.seen.incident
    markings = opencti_markings() if profile == "opencti" else tlp2_markings()
    home = view.seen.home
    shown = view.for_reader(as_org, Where.VIEW, active_only=True)

    def identity_of(org: str) -> str:
        return stable_id("identity", "org", org or home)

    orgs = sorted({s.said_by or home for s in shown} | {home})
    identities = [
        stix2.Identity(
            id=identity_of(org),
            name=org_names.get(org, org),
            identity_class="organization",
            created=incident.opened_at,
            modified=incident.opened_at,
            object_marking_refs=[markings[Tlp.CLEAR].id],
        )
        for org in orgs
    ]
    objects = [_indicator_of(incident.key, s, identity_of, markings) for s in shown]
    _validate_samples(objects)
    refs = [o["id"] for o in objects] or [i.id for i in identities]
    report = stix2.Report(
        id=stable_id("report", incident.key),
        name=title,
        report_types=["incident"],
        published=incident.opened_at,
        created=incident.opened_at,
        modified=max([incident.opened_at, *(s.last_at for s in shown)]),
        created_by_ref=identity_of(home),
        object_refs=refs,
        labels=[f"severity:{incident.severity}", f"state:{incident.state}"],
        object_marking_refs=[markings[title_tlp].id],
    )
    built: list[Any] = [*markings.values(), *identities, report]
    return {
        "type": "bundle",
        "id": stable_id("bundle", incident.key, as_org or ""),
        "objects": [_as_json(o) for o in built] + objects,
    }


def _as_json(made: _STIXBase) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(made.serialize())
    return loaded


# The properties of an indicator and a vulnerability, each built as a dict in the order and
# the form stix2 writes them: constructing 10,000 validated stix2 objects takes seconds.
# The first object of each kind in a bundle is checked by stix2 (`_validate_samples`), every
# one of them by the tests.


def _indicator_of(
    key: str,
    seen: Seen,
    identity_of: Any,
    markings: Mapping[Tlp, stix2.MarkingDefinition],
) -> dict[str, Any]:
    observable = seen.observable
    kind = ObservableType(observable.type)
    created = _timestamp(seen.first_at)
    modified = created if seen.last_at <= seen.first_at else _timestamp(seen.last_at)
    made: dict[str, Any] = {"type": "", "spec_version": "2.1", "id": ""}
    made["created_by_ref"] = identity_of(seen.said_by)
    made["created"], made["modified"], made["name"] = created, modified, seen.value
    labels = [f"pap:{observable.pap.lower()}"]
    if kind is ObservableType.CVE:
        made["type"] = "vulnerability"
        made["id"] = stable_id("vulnerability", key, observable.value)
        made["labels"] = labels
        made["external_references"] = [{"source_name": "cve", "external_id": seen.value}]
    else:
        made["type"] = "indicator"
        made["id"] = stable_id("indicator", key, observable.type, observable.value)
        made["indicator_types"] = ["malicious-activity"]
        made["pattern"] = pattern(kind, seen.value)
        made["pattern_type"], made["pattern_version"] = "stix", "2.1"
        made["valid_from"] = _timestamp(seen.first_at, milliseconds=False)
        made["labels"] = labels
    made["object_marking_refs"] = [markings[seen.tlp].id]
    return made


def _timestamp(at: datetime, *, milliseconds: bool = True) -> str:
    """A time as stix2 writes it (`stix2.utils.format_datetime`): UTC, digits past the
    second only as many as it has, at least three for `created` and `modified`."""
    zoned = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    fraction = f"{zoned.microsecond:06d}".rstrip("0")
    if milliseconds:
        fraction = fraction.ljust(3, "0")
    return zoned.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def _validate_samples(objects: list[dict[str, Any]]) -> None:
    """stix2 reads back the first object of each type and pattern path, with every check it
    makes at construction (the pattern against its grammar too): a dict that strays from
    the STIX shape fails the export rather than reaching a partner."""
    sampled: set[str] = set()
    for made in objects:
        kind = made["type"] + made.get("pattern", "")[:20]
        if kind not in sampled:
            sampled.add(kind)
            stix2.parse(made, allow_custom=False)
