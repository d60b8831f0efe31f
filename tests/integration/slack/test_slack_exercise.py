"""A three-org exercise across two Slack workspaces (the fake Slack over loopback) and a
console organisation: each part's injects reach its own room only, a RED inject for the
victim never reaches the CERT's workspace, and the hot wash reaches all three rooms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.fakes.adapter import FakeAdapter
from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import SlackRig, rig_config, rig_env
from warroom.bot.app import build_app
from warroom.bot.config import ExercisesConfig, OrgConfig, SharingConfig
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export

DRILL = """
title = "Three-org drill"
parts = ["victim", "provider", "cert"]
questions = ["Who told whom?"]

[[injects]]
id = "secret"
at = "0m"
to = "victim"
tlp = "red"
text = "Only the victim knows the backups are gone."

[[injects]]
id = "sighting"
at = "0m"
to = "provider"
text = "The provider sees scanning from the victim's range."

[[injects]]
id = "report"
at = "0m"
to = "cert"
text = "The CERT hears of the same family elsewhere."

[[expectations]]
id = "talk"
text = "Someone of the victim speaks"
by = "victim"
within = "30m"
said = "(?i)contain"
"""


class MixedRig(SlackRig):
    """The Slack rig with a console organisation beside the two workspaces."""

    def __init__(self, fake: FakeSlack, store_url: str, folder: Path) -> None:
        base = rig_config(store_url, fake, "http")
        config = replace(
            base,
            orgs=(*base.orgs, OrgConfig(id="cloud", name="Cloud Inc", platform="console")),
            sharing=(
                *base.sharing,
                SharingConfig(orgs=("acme", "cloud"), max_tlp=Tlp.AMBER),
                SharingConfig(orgs=("cert", "cloud"), max_tlp=Tlp.AMBER),
            ),
            exercises=ExercisesConfig(dir=str(folder)),
        )
        super().__init__(fake, config, "http")
        self.console = FakeAdapter("console")
        self.app = build_app(
            config,
            adapters={"slack": self.adapter, "console": self.console},
            clock=self.clock,
            serve_http=True,
        )


@pytest.fixture
async def mixed(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[MixedRig]:
    for name, value in rig_env(fake_slack).items():
        monkeypatch.setenv(name, value)
    (tmp_path / "drill.toml").write_text(DRILL)
    rig = MixedRig(fake_slack, store_url, tmp_path)
    await rig.start()
    try:
        yield rig
    finally:
        await rig.stop()


def slack_texts(rig: MixedRig, channel: str) -> str:
    return "\n".join(str(m) for m in rig.fake.channels[channel].messages.values())


async def test_a_three_org_exercise_across_slack_and_the_console(mixed: MixedRig) -> None:
    rig = mixed
    start = "exercise start drill --part victim=acme --part provider=cloud --part cert=cert"
    await rig.command(start)
    await rig.settle()
    assert rig.app.reminders is not None
    await rig.app.reminders.exercises()  # the leader's check, as its job would run it
    await rig.settle()
    rooms = {r["org"]: r["room_id"] for r in rig.export()["rooms"]}
    assert set(rooms) == {"acme", "cert", "cloud"}

    acme, cert = slack_texts(rig, rooms["acme"]), slack_texts(rig, rooms["cert"])
    cloud = "\n".join(s.text for s in rig.console.of_kind("post"))
    assert "Only the victim knows the backups are gone." in acme
    assert "Only the victim knows" not in cert + cloud
    assert "The CERT hears of the same family" in cert
    assert "The CERT hears" not in acme + cloud
    assert "The provider sees scanning" in cloud
    assert "EXERCISE · inject secret" in acme

    await rig.command("exercise end", channel=rooms["acme"])
    await rig.settle()
    for text in (slack_texts(rig, rooms["acme"]), slack_texts(rig, rooms["cert"])):
        assert "hot wash: Three-org drill" in text and "Who told whom?" in text
    hot_wash = [s for s in rig.console.of_kind("post") if "hot wash" in s.text]
    assert len(hot_wash) == 1 and "talk (victim, acme)" in hot_wash[0].text

    def export(uow, org):  # type: ignore[no-untyped-def]
        return incident_export(uow, "INC-1", config=rig.config, as_org=org)

    seen = {
        org: rig.app.store.transaction_sync(lambda uow, o=org: export(uow, o))["exercise_run"]
        for org in ("acme", "cert", "cloud")
    }
    assert [j["id"] for j in seen["acme"]["injects"]] == ["secret", "sighting", "report"]
    assert [j["id"] for j in seen["cert"]["injects"]] == ["sighting", "report"]
    assert seen["cloud"]["expectations"][0]["met"] is False
