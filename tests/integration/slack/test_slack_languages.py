"""Slack in the opener's language: acme (German, Berlin) gets the open modal and its form
errors in German, what it submits is the same `open ...` as in English; cert's stays English.

The German assertions need the German catalog with group C's texts (bot/locale)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import CAROL, CERT, SlackRig, payload, rig_config, rig_env


@pytest.fixture
async def rig(
    sqlite_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackRig]:
    for name, value in rig_env(fake_slack).items():
        monkeypatch.setenv(name, value)
    config = rig_config(sqlite_url, fake_slack, "http")
    acme, cert = config.orgs
    german = replace(acme, locale="de", timezone="Europe/Berlin")
    rig = SlackRig(fake_slack, replace(config, orgs=(german, cert)), "http")
    await rig.start()
    try:
        yield rig
    finally:
        await rig.stop()


async def test_the_open_modal_is_german_for_an_acme_opener(rig: SlackRig) -> None:
    await rig.command("open")
    await rig.settle()
    (view,) = rig.fake.views
    assert view["title"]["text"] == "Incident eröffnen"
    assert (view["submit"]["text"], view["close"]["text"]) == ("Eröffnen", "Abbrechen")
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert labels == [
        "Was ist passiert?",
        "Schweregrad",
        "Traffic Light Protocol",
        "Weitere Organisationen hinzuziehen",
        "Playbook",
        "Übung",
    ]
    sev = [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]]
    assert sev == ["SEV1 — kritisch", "SEV2 — hoch", "SEV3 — mittel", "SEV4 — niedrig"]
    tlp = [o["text"]["text"] for o in view["blocks"][2]["element"]["options"]]
    assert "TLP:AMBER" in tlp  # tokens stay as typed
    playbooks = [o["text"]["text"] for o in view["blocks"][4]["element"]["options"]]
    assert "Offengelegte Zugangsdaten (leaked-credentials)" in playbooks
    assert "Ransomware (ransomware)" in playbooks

    submission = payload("view_submission")
    submission["view"]["private_metadata"] = view["private_metadata"]
    submission["view"]["state"]["values"]["title"]["title"]["value"] = "  "
    ack = await rig.interaction(submission)
    assert ack.body["errors"] == {"title": "Geben Sie dem Incident einen Titel."}
    assert not rig.fake.of("conversations.create"), "a refused form opens nothing"


async def test_the_open_modal_stays_english_for_a_cert_opener(rig: SlackRig) -> None:
    await rig.command("open", team=CERT, user=CAROL, channel="C0CERT")
    await rig.settle()
    (view,) = rig.fake.views
    assert view["title"]["text"] == "Open an incident"
    assert view["blocks"][0]["label"]["text"] == "What is happening?"
    playbooks = [o["text"]["text"] for o in view["blocks"][4]["element"]["options"]]
    assert "Leaked credentials (leaked-credentials)" in playbooks
