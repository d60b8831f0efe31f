"""STIX 2.1 and MISP exports of an incident's indicators: valid, marked with the TLP 2.0
objects, holding for each organisation only what it may see, and recorded with their hash."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import stix2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymisp import MISPAttribute, MISPEvent
from stix2validator import ValidationOptions, validate_string

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.cli import main
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export
from warroom.bot.operations.intel_export import export_intel
from warroom.storage.migrate import upgrade
from warroom.storage.store import UnitOfWork

OASIS = {
    "TLP:CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "TLP:GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "TLP:AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "TLP:AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "TLP:RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
MARKING_LEVEL = {v: k.removeprefix("TLP:") for k, v in OASIS.items()}


@pytest.fixture
async def orgs(store_url: str) -> AsyncIterator[CrossOrgBot]:
    """INC-1: acme with cert (agreement up to RED) and cloud (up to GREEN)."""
    bot = CrossOrgBot(store_url)
    await bot.command(
        'open "Leaked keys" --sev 1 --tlp amber --org cert', name="alice", org="acme"
    )
    await bot.command("invite cloud", name="alice", org="acme")
    await bot.say("TLP:GREEN beacon to 45.77.12.9", name="alice", org="acme")
    await bot.say("C2 at hxxps://evil-corp[.]com/gate.php", name="alice", org="acme")  # AMBER
    await bot.say("TLP:AMBER+STRICT our own probe 45.77.12.20", name="alice", org="acme")
    await bot.say("TLP:RED informant says 45.77.12.30", name="alice", org="acme")
    await bot.say("TLP:CLEAR exploited CVE-2021-44228", name="cora", org="cert")
    await bot.say("dropper 44d88612fea8a8f36de82e1278abb02f", name="cora", org="cert")  # AMBER
    await bot.command("ioc add 45.77.12.40", name="alice", org="acme")
    await bot.command("ioc fp 45.77.12.40", name="alice", org="acme")
    yield bot
    await bot.app.stop()


def export(bot: CrossOrgBot, form: str, as_org: str | None = None, **more: Any) -> str:
    return bot.app.store.transaction_sync(
        lambda uow: export_intel(
            uow, bot.config, "INC-1", form=form, as_org=as_org, at=bot.clock.now(), **more
        )
    )


def stix_values(text: str) -> dict[str, str]:
    """Each indicator's or vulnerability's name -> the TLP it is marked with."""
    objects = json.loads(text)["objects"]
    return {
        o["name"]: MARKING_LEVEL[o["object_marking_refs"][0]]
        for o in objects
        if o["type"] in ("indicator", "vulnerability")
    }


def misp_values(text: str) -> dict[str, str]:
    event = MISPEvent()
    event.load(text)
    return {
        a.value: next(t.name for t in a.tags if t.name.startswith("tlp:"))
        for a in event.attributes
    }


async def test_the_bundle_parses_validates_and_carries_the_oasis_tlp2_markings(
    orgs: CrossOrgBot,
) -> None:
    text = export(orgs, "stix")
    parsed = stix2.parse(text, allow_custom=True)  # patterns re-checked against the grammar
    results = validate_string(text, ValidationOptions(version="2.1"))
    assert results.is_valid, [str(e) for e in results.errors]
    objects = {o["id"]: o for o in json.loads(text)["objects"]}
    assert len(parsed.objects) == len(objects)
    markings = {o["name"]: o for o in objects.values() if o["type"] == "marking-definition"}
    assert {name: m["id"] for name, m in markings.items()} == OASIS
    for name, marking in markings.items():
        assert marking["created"] == "2022-10-01T00:00:00.000Z"
        assert marking["extensions"][TLP2_EXTENSION] == {
            "extension_type": "property-extension",
            "tlp_2_0": name.removeprefix("TLP:").lower(),
        }
    for obj in objects.values():
        if obj["type"] != "marking-definition":
            assert (
                len(obj["object_marking_refs"]) == 1
                and obj["object_marking_refs"][0] in OASIS.values()
            )
    identities = {o["id"]: o["name"] for o in objects.values() if o["type"] == "identity"}
    assert sorted(identities.values()) == ["ACME Corp", "CERT"]
    indicators = {o["name"]: o for o in objects.values() if o["type"] == "indicator"}
    assert indicators["45.77.12.9"]["pattern"] == "[ipv4-addr:value = '45.77.12.9']"
    md5 = indicators["44d88612fea8a8f36de82e1278abb02f"]
    assert md5["pattern"] == "[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']"
    assert identities[md5["created_by_ref"]] == "CERT"
    assert identities[indicators["45.77.12.9"]["created_by_ref"]] == "ACME Corp"
    cve = next(o for o in objects.values() if o["type"] == "vulnerability")
    assert cve["external_references"] == [{"source_name": "cve", "external_id": "CVE-2021-44228"}]
    report = next(o for o in objects.values() if o["type"] == "report")
    assert report["name"] == "INC-1: Leaked keys"
    assert {objects[ref]["name"] for ref in report["object_refs"]} == set(stix_values(text))
    assert "45.77.12.40" not in stix_values(text)  # a false positive is never exported
    assert stix_values(text)["45.77.12.30"] == "RED"  # the whole record holds everything


async def test_each_indicator_is_what_stix2_itself_would_write(orgs: CrossOrgBot) -> None:
    """Indicators and vulnerabilities are built as dicts (constructing thousands of
    validated stix2 objects takes seconds): each reads back through stix2 unchanged."""
    objects = json.loads(export(orgs, "stix"))["objects"]
    built = [o for o in objects if o["type"] in ("indicator", "vulnerability")]
    assert len(built) == 7  # three addresses, a URL and its domain, a CVE, an MD5
    for made in built:
        assert json.loads(stix2.parse(made).serialize()) == made


async def test_the_opencti_profile_writes_opencti_marking_ids(orgs: CrossOrgBot) -> None:
    text = export(orgs, "stix", profile="opencti")
    objects = json.loads(text)["objects"]
    ids = {o["name"]: o["id"] for o in objects if o["type"] == "marking-definition"}
    assert ids["TLP:WHITE"] == "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    assert ids["TLP:AMBER"] == "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
    assert ids["TLP:AMBER+STRICT"] == "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"
    cve = next(o for o in objects if o["type"] == "vulnerability")
    assert cve["object_marking_refs"] == [ids["TLP:WHITE"]]  # CLEAR, as OpenCTI reads it
    stix2.parse(text, allow_custom=True)


async def test_the_misp_event_loads_with_one_tlp_tag_each_and_mapped_distribution(
    orgs: CrossOrgBot,
) -> None:
    text = export(orgs, "misp", "cert")
    event = MISPEvent()
    event.load(text)
    assert event.info == "INC-1: Leaked keys"
    assert [t.name for t in event.tags if t.name.startswith("tlp:")] == ["tlp:amber"]
    by_value = {a.value: a for a in event.attributes}
    assert {v: a.type for v, a in by_value.items()} == {
        "45.77.12.9": "ip-dst",
        "evil-corp.com": "domain",
        "https://evil-corp.com/gate.php": "url",
        "CVE-2021-44228": "vulnerability",
        "44d88612fea8a8f36de82e1278abb02f": "md5",
    }
    for attribute in event.attributes:
        assert len([t for t in attribute.tags if t.name.startswith("tlp:")]) == 1
    assert by_value["45.77.12.9"].to_ids and not by_value["CVE-2021-44228"].to_ids
    assert int(by_value["CVE-2021-44228"].distribution) == 3  # CLEAR: all communities
    assert int(by_value["45.77.12.9"].distribution) == 1  # GREEN: this community
    assert int(by_value["evil-corp.com"].distribution) == 0  # AMBER, no sharing group set


async def test_each_attribute_is_what_pymisp_itself_would_write(orgs: CrossOrgBot) -> None:
    """Attributes past the first of each type are built as dicts in PyMISP's shape: each
    reads back through MISPAttribute unchanged."""
    listed = json.loads(export(orgs, "misp"))["Attribute"]
    assert len({a["type"] for a in listed}) == 5 and len(listed) == 7
    for made in listed:
        attribute = MISPAttribute()
        attribute.from_dict(**made)
        assert json.loads(attribute.to_json()) == made


async def test_an_export_for_an_org_holds_only_what_it_may_see(orgs: CrossOrgBot) -> None:
    assert stix_values(export(orgs, "stix", "cloud")) == {
        "45.77.12.9": "GREEN",  # acme's GREEN, within the GREEN agreement
        "CVE-2021-44228": "CLEAR",
        "44d88612fea8a8f36de82e1278abb02f": "AMBER",  # cert's, under cert and cloud's AMBER
    }
    cert = stix_values(export(orgs, "stix", "cert"))
    assert "45.77.12.20" not in cert and "45.77.12.30" not in cert  # AMBER+STRICT, RED
    assert cert["evil-corp.com"] == "AMBER"
    acme = stix_values(export(orgs, "stix", "acme"))
    assert acme["45.77.12.20"] == "AMBER+STRICT" and acme["45.77.12.30"] == "RED"
    assert misp_values(export(orgs, "misp", "cloud")) == {
        "45.77.12.9": "tlp:green",
        "CVE-2021-44228": "tlp:clear",
        "44d88612fea8a8f36de82e1278abb02f": "tlp:amber",
    }


async def test_the_json_export_lists_the_observables_the_org_may_see(orgs: CrossOrgBot) -> None:
    data = orgs.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=orgs.config, as_org="cloud")
    )
    shown = {o["value"]: (o["tlp"], o["status"]) for o in data["observables"]}
    assert shown == {
        "45.77.12.9": ("GREEN", "active"),
        "CVE-2021-44228": ("CLEAR", "active"),
        "44d88612fea8a8f36de82e1278abb02f": ("AMBER", "active"),
    }
    whole = orgs.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=orgs.config)
    )
    statuses = {o["value"]: o["status"] for o in whole["observables"]}
    assert statuses["45.77.12.40"] == "false-positive" and len(statuses) == 8


async def test_each_export_is_a_timeline_entry_with_the_sha256_of_what_was_handed_out(
    orgs: CrossOrgBot,
) -> None:
    text = export(orgs, "stix", "cloud")
    digest = hashlib.sha256(text.encode()).hexdigest()
    with _uow(orgs) as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        entry = uow.timeline.of_kind(incident.id, "export")[-1]
        assert entry.text == f"STIX 2.1 export for cloud, SHA-256 {digest}"
        assert (entry.actor_org, entry.tlp) == ("cloud", "AMBER+STRICT")


def _uow(bot: CrossOrgBot) -> UnitOfWork:
    return UnitOfWork(bot.app.store.engine)


async def test_the_cli_prints_the_export_and_records_it(
    orgs: CrossOrgBot, tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[storage]\nurl = "{store_url}"\nauto_upgrade = false\n\n'
        '[[orgs]]\nid = "acme"\nplatform = "console"\n\n'
        '[[orgs]]\nid = "cloud"\nplatform = "console"\n\n'
        '[[sharing]]\norgs = ["acme", "cloud"]\nmax_tlp = "GREEN"\n',
        encoding="utf-8",
    )
    argv = ["export", "INC-1", "-c", str(config), "--format", "misp", "--as-org", "cloud"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    # this config knows no agreement with cert: nothing cert said reaches cloud through it
    assert set(misp_values(printed)) == {"45.77.12.9"}
    digest = hashlib.sha256(printed.removesuffix("\n").encode()).hexdigest()
    with _uow(orgs) as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        assert uow.timeline.of_kind(incident.id, "export")[-1].text.endswith(digest)
    assert main([*argv[:5], "stix", "--as-org", "rogue"]) == 1
    assert "rogue does not take part in INC-1" in capsys.readouterr().err


# --- the property: random sayings at random TLPs never reach B's export unless B may --------

ORGS = ("acme", "cert", "cloud")
CAPS = {frozenset({"acme", "cert"}): Tlp.RED, frozenset({"acme", "cloud"}): Tlp.GREEN}
CAPS[frozenset({"cert", "cloud"})] = Tlp.AMBER
_template: Path | None = None


def template() -> Path:
    global _template
    if _template is None:
        _template = Path(tempfile.mkdtemp()) / "template.db"
        upgrade(f"sqlite:///{_template}")
    return _template


def may_see(sayer: str, tlp: Tlp, reader: str) -> bool:
    """DESIGN.md's table for a view, written out again."""
    if reader == sayer:
        return True
    return tlp < Tlp.AMBER_STRICT and tlp <= CAPS[frozenset({sayer, reader})]


sayings = st.lists(
    st.tuples(st.sampled_from(ORGS), st.sampled_from(list(Tlp)), st.integers(1, 6)),
    min_size=1,
    max_size=10,
)


async def property_scenario(url: str, said: list[tuple[str, Tlp, int]], floor: int) -> None:
    bot = CrossOrgBot(url)
    names = {"acme": "alice", "cert": "cora", "cloud": "carl"}
    try:
        await bot.command('open "Prop" --tlp amber --org cert', name="alice", org="acme")
        await bot.command("invite cloud", name="alice", org="acme")
        for org, tlp, n in said:
            await bot.say(f"TLP:{tlp.label} seen 45.77.13.{n}", name=names[org], org=org)
        if floor:
            await bot.command(f"ioc tlp 45.77.13.{floor} red", name="alice", org="acme")
        for reader in ORGS:
            expected = {}
            for org, tlp, n in said:
                level = max(tlp, Tlp.RED) if n == floor and _acme_saw(said, floor) else tlp
                if may_see(org, level, reader):
                    value = f"45.77.13.{n}"
                    expected[value] = min(expected.get(value, Tlp.RED), level)
            for form, values in (("stix", stix_values), ("misp", misp_values)):
                shown = values(export(bot, form, reader))
                assert set(shown) == set(expected), (reader, form, shown, expected)
                if form == "stix":
                    assert shown == {v: t.label for v, t in expected.items()}
    finally:
        await bot.app.stop()


def _acme_saw(said: list[tuple[str, Tlp, int]], n: int) -> bool:
    """`ioc tlp` by acme finds the value only where acme may see it."""
    return any(v == n and may_see(org, tlp, "acme") for org, tlp, v in said)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(said=sayings, floor=st.integers(0, 6))
def test_no_export_ever_holds_an_indicator_its_reader_may_not_see(
    said: list[tuple[str, Tlp, int]], floor: int
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copyfile(template(), folder / "warroom.db")
        asyncio.run(property_scenario(f"sqlite:///{folder / 'warroom.db'}", said, floor))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
