"""The key that seals installed tokens: a wrong one stops start-up naming it; a rotated one
(`NEW,OLD`) still opens what the old one sealed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.oauth_rig import KEY, Browser, oauth_config, oauth_env, started
from tests.integration.slack.rig import CERT, SlackRig
from warroom.bot.config import ConfigError

CAROL = "U0CAROL"


async def installed(fake: FakeSlack, store_url: str) -> None:
    rig = await started(fake, oauth_config(store_url, fake))
    try:
        fake.oauth.team = CERT
        assert (await Browser(rig.base_url).install()).status == 200
    finally:
        await rig.stop()


async def test_a_wrong_key_stops_start_up_naming_it(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    oauth_env(fake_slack, monkeypatch)
    await installed(fake_slack, store_url)
    oauth_env(fake_slack, monkeypatch, key=Fernet.generate_key().decode())
    rig = SlackRig(fake_slack, oauth_config(store_url, fake_slack), "http")
    try:
        with pytest.raises(ConfigError, match=r"slack\.token_key_env: .*workspace T0CERT"):
            await rig.start()
    finally:
        await rig.stop()


async def test_a_rotated_key_opens_what_the_old_one_sealed(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    oauth_env(fake_slack, monkeypatch)
    await installed(fake_slack, store_url)
    newer = Fernet.generate_key().decode()
    oauth_env(fake_slack, monkeypatch, key=f"{newer},{KEY}")
    rig = await started(fake_slack, oauth_config(store_url, fake_slack))
    try:
        await rig.command('open "After rotation"', user=CAROL, team=CERT)
        await rig.settle()
        assert rig.export()["rooms"][0]["workspace"] == CERT
        assert (await Browser(rig.base_url).install()).status == 200  # sealed with the newer
    finally:
        await rig.stop()
    oauth_env(fake_slack, monkeypatch, key=newer)  # the old key can go now
    rig = await started(fake_slack, oauth_config(store_url, fake_slack))
    await rig.stop()
