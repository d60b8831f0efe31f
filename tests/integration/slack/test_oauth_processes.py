"""Installations across `warroom run` processes, on every storage backend: what one process
was given, another finds in the database; and installs work in Socket Mode too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.oauth_rig import Browser, oauth_config, oauth_env, started
from tests.integration.slack.rig import CERT, SlackRig
from warroom.adapters.slack.inbound import NOT_SET_UP
from warroom.bot.domain.port import AdapterError

CAROL = "U0CAROL"


@pytest.fixture
async def pair(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SlackRig, SlackRig]]:
    """Two warroom processes' worth of app on one database (each its own HTTP server)."""
    oauth_env(fake_slack, monkeypatch)
    config = oauth_config(store_url, fake_slack)
    first = await started(fake_slack, config)
    second = await started(fake_slack, config)
    try:
        yield first, second
    finally:
        await second.stop()
        await first.stop()


async def test_a_workspace_installed_through_one_process_is_served_by_another(
    pair: tuple[SlackRig, SlackRig],
) -> None:
    first, second = pair
    first.fake.oauth.team = CERT
    first.fake.oauth.redirect_url = f"{first.base_url}/slack/oauth_redirect"
    assert (await Browser(first.base_url).install()).status == 200
    await second.command('open "Seen from the other process"', user=CAROL, team=CERT)
    await second.settle()
    (room,) = second.export()["rooms"]
    assert room["workspace"] == CERT
    assert "installed" in second.fake.of("conversations.create")[-1].token


async def test_a_reinstall_through_one_process_reaches_the_other(
    pair: tuple[SlackRig, SlackRig],
) -> None:
    first, second = pair
    first.fake.oauth.team = CERT
    first.fake.oauth.redirect_url = f"{first.base_url}/slack/oauth_redirect"
    assert (await Browser(first.base_url).install()).status == 200
    await second.command('open "Before"', user=CAROL, team=CERT)
    await second.settle()
    assert (await Browser(first.base_url).install()).status == 200  # a new token
    await second.command('open "After"', user=CAROL, team=CERT)
    await second.settle()
    before, *_, after = second.fake.of("conversations.create")
    assert before.token.endswith("-1") and after.token.endswith("-2")  # the stale one, refused,
    assert len(second.export("INC-2")["rooms"]) == 1  # was read again from the database


async def test_an_uninstall_seen_by_one_process_stops_the_other(
    pair: tuple[SlackRig, SlackRig],
) -> None:
    first, second = pair
    first.fake.oauth.team = CERT
    first.fake.oauth.redirect_url = f"{first.base_url}/slack/oauth_redirect"
    assert (await Browser(first.base_url).install()).status == 200
    await second.command('open "Before"', user=CAROL, team=CERT)
    await second.settle()
    first.fake.oauth.uninstall(CERT)
    assert (await first.event({"type": "app_uninstalled"}, team=CERT)).status == 200
    with pytest.raises(AdapterError, match="invalid_auth"):  # its cached token is refused
        await second.adapter.api.call(CERT, "auth_test")
    assert await second.adapter.api.token(CERT) is None  # and dropped, the database says why
    await second.command("list", user=CAROL, team=CERT)
    assert second.fake.responses[-1]["text"] == NOT_SET_UP


async def test_installs_are_served_in_socket_mode(
    sqlite_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    oauth_env(fake_slack, monkeypatch)
    rig = await started(fake_slack, oauth_config(sqlite_url, fake_slack, "socket"), "socket")
    try:
        fake_slack.oauth.team = CERT
        page = await Browser(rig.base_url).install()
        assert page.status == 200 and "warroom is installed" in page.text
        await rig.command('open "Over the socket"', user=CAROL, team=CERT)
        await rig.settle()
        assert rig.export()["rooms"][0]["workspace"] == CERT
    finally:
        await rig.stop()
