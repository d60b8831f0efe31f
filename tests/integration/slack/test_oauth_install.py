"""Installing warroom into a Slack workspace through Slack's OAuth flow, against the fake
Slack: the admin's browser goes /slack/install -> Slack's authorise page -> back to
/slack/oauth_redirect, and warroom keeps the workspace's token sealed in its database."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.oauth_rig import Browser, oauth_config, oauth_env, started
from tests.integration.slack.rig import ACME, ALICE, CERT, SlackRig
from warroom.adapters.slack.inbound import NOT_SET_UP
from warroom.storage.installations import StoredInstallations

CAROL = "U0CAROL"


@pytest.fixture
async def rig(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackRig]:
    oauth_env(fake_slack, monkeypatch)
    rig = await started(fake_slack, oauth_config(store_url, fake_slack))
    try:
        yield rig
    finally:
        await rig.stop()


async def test_the_install_page_speaks_the_orgs_language(
    store_url: str, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    oauth_env(fake_slack, monkeypatch)
    config = oauth_config(store_url, fake_slack)
    acme, cert = config.orgs
    rig = await started(fake_slack, replace(config, orgs=(acme, replace(cert, locale="de"))))
    try:
        page = await install(rig)
    finally:
        await rig.stop()
    assert "warroom ist in cert installiert. Geben Sie in Slack /incident help ein" in page


def stored(rig: SlackRig) -> list[dict[str, str]]:
    engine = create_engine(rig.config.storage.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM installation")).mappings().all()
    finally:
        engine.dispose()
    return [{k: str(v) for k, v in row.items()} for row in rows]


async def install(rig: SlackRig, team: str = CERT) -> str:
    rig.fake.oauth.team = team
    page = await Browser(rig.base_url).install()
    assert page.status == 200, page.text
    return page.text


async def test_an_admin_installs_warroom_and_its_token_is_stored_sealed(rig: SlackRig) -> None:
    page = await install(rig)
    assert "warroom is installed in cert" in page
    (authorise,) = rig.fake.oauth.authorize_requests
    assert "groups:write" in authorise["scope"].split(",")
    (row,) = stored(rig)
    assert (row["platform"], row["workspace"], row["name"]) == ("slack", CERT, "cert")
    assert row["installed_by"] == "U0ADMIN"
    token = next(t.token for t in rig.fake.teams.values() if t.id == CERT)
    assert "installed" in token
    assert all(token not in value for value in row.values())


async def test_an_installed_workspace_is_served_without_a_restart(rig: SlackRig) -> None:
    ack = await rig.command("list", user=CAROL, team=CERT)
    assert ack.status == 200 and rig.fake.responses[-1]["text"] == NOT_SET_UP
    await install(rig)
    await rig.command('open "Phishing wave"', user=CAROL, team=CERT)
    await rig.settle()
    (room,) = rig.export()["rooms"]
    assert room["workspace"] == CERT
    (created,) = rig.fake.of("conversations.create")
    assert created.team == CERT and "installed" in created.token


async def test_bringing_in_an_org_not_installed_is_refused_and_changes_nothing(
    rig: SlackRig,
) -> None:
    await rig.command('open "Outage" --org cert')
    await rig.settle()
    (reply,) = rig.fake.responses
    assert "warroom is not installed in its Slack workspace T0CERT" in reply["text"]
    assert rig.app.store.transaction_sync(lambda uow: uow.incidents.all()) == []
    await rig.command('open "Outage"')
    await rig.settle()
    room = rig.room_of()
    await rig.command("invite cert", channel=room)
    await rig.settle()
    assert "cannot be brought in" in rig.fake.responses[-1]["text"]
    assert [r["org"] for r in rig.export()["rooms"]] == ["acme"]
    await install(rig)
    await rig.command("invite cert", channel=room)
    await rig.settle()
    assert sorted(r["org"] for r in rig.export()["rooms"]) == ["acme", "cert"]


async def test_a_reinstall_replaces_the_token(rig: SlackRig) -> None:
    await install(rig)
    first = stored(rig)[0]["sealed"]
    await install(rig)
    (row,) = stored(rig)
    assert row["sealed"] != first
    (token,) = [t.token for t in rig.fake.teams.values() if t.id == CERT]
    assert token.endswith("-2")
    await rig.command('open "After reinstall"', user=CAROL, team=CERT)
    await rig.settle()
    assert rig.fake.of("conversations.create")[-1].token == token


async def test_uninstall_removes_the_installation(rig: SlackRig) -> None:
    await install(rig)
    rig.fake.oauth.uninstall(CERT)
    ack = await rig.event({"type": "app_uninstalled"}, team=CERT)
    assert ack.status == 200
    assert stored(rig) == []
    await rig.command("list", user=CAROL, team=CERT)
    assert rig.fake.responses[-1]["text"] == NOT_SET_UP
    await rig.command('open "Uninstalled" --org cert')
    await rig.settle()
    assert "is not installed" in rig.fake.responses[-1]["text"]


async def test_revoked_bot_tokens_remove_the_installation(rig: SlackRig) -> None:
    await install(rig)
    users = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN"], "bot": []}}
    assert (await rig.event(users, team=CERT)).status == 200
    assert len(stored(rig)) == 1  # only user tokens: none are kept
    bots = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBT0CERT"]}}
    assert (await rig.event(bots, team=CERT)).status == 200
    assert stored(rig) == []


async def test_a_denied_install_stores_nothing(rig: SlackRig) -> None:
    rig.fake.oauth.team, rig.fake.oauth.deny = CERT, True
    page = await Browser(rig.base_url).install()
    assert page.status == 403
    assert "The install was cancelled in Slack" in page.text
    assert stored(rig) == [] and rig.fake.oauth.installs == 0


async def test_a_state_that_does_not_match_the_browser_is_refused(rig: SlackRig) -> None:
    rig.fake.oauth.team = CERT
    admin, other = Browser(rig.base_url), Browser(rig.base_url)
    back = await admin.at_slack(await admin.begin())
    foreign = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(await other.begin()).query))
    swapped = back.replace(f"state={query(back)['state']}", f"state={foreign['state']}")
    page = await admin.open(swapped)
    assert page.status == 400 and "not started in this browser" in page.text
    assert stored(rig) == [] and rig.fake.oauth.installs == 0
    assert "slack-app-oauth-state" not in admin.cookies  # that attempt is over
    assert (await admin.install()).status == 200  # starting again works
    assert len(stored(rig)) == 1


async def test_a_used_or_expired_state_is_refused(rig: SlackRig) -> None:
    rig.fake.oauth.team = CERT
    browser = Browser(rig.base_url)
    back = await browser.at_slack(await browser.begin())
    state = query(back)["state"]
    assert (await browser.open(back)).status == 200
    browser.cookies["slack-app-oauth-state"] = state  # the same link, replayed
    again = await browser.open(back)
    assert again.status == 400 and "expired or was already used" in again.text
    past = rig.clock.now() - timedelta(seconds=1)
    await StoredInstallations(rig.app.store).issue_state("slack", "old-state", past)
    browser.cookies["slack-app-oauth-state"] = "old-state"
    old = await browser.open(f"{rig.base_url}/slack/oauth_redirect?code=x&state=old-state")
    assert old.status == 400 and "expired or was already used" in old.text
    assert rig.fake.oauth.installs == 1


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


async def test_an_install_from_a_workspace_no_org_names_is_refused_and_revoked(
    rig: SlackRig,
) -> None:
    rig.fake.add_team("T0STRANGER", name="stranger")
    rig.fake.oauth.team = "T0STRANGER"
    page = await Browser(rig.base_url).install()
    assert page.status == 403 and "not one of the organisations warroom serves" in page.text
    assert stored(rig) == []
    (revoked,) = rig.fake.oauth.revoked
    assert "T0STRANGER" in revoked


async def test_an_organisation_wide_install_is_refused(rig: SlackRig) -> None:
    rig.fake.oauth.team, rig.fake.oauth.enterprise_install = CERT, True
    page = await Browser(rig.base_url).install()
    assert page.status == 403 and "an organisation-wide install" in page.text
    assert stored(rig) == [] and len(rig.fake.oauth.revoked) == 1


async def test_a_config_token_org_keeps_working_beside_installs(rig: SlackRig) -> None:
    await install(rig)
    await rig.command('open "Both ways" --org cert', user=ALICE, team=ACME)
    await rig.settle()
    rooms = {r["org"]: r["workspace"] for r in rig.export()["rooms"]}
    assert rooms == {"acme": ACME, "cert": CERT}
    tokens = {c.team: c.token for c in rig.fake.of("conversations.create")}
    assert tokens[ACME] == f"xoxb-{ACME}-token" and "installed" in tokens[CERT]
