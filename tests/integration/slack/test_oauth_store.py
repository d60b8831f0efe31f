"""bolt's side of the installation store: what it saves it finds again, sealed at rest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Bot, Installation

from warroom.adapters.slack.installations import SlackInstallations
from warroom.adapters.slack.sealing import Sealer
from warroom.storage.installations import StoredInstallations
from warroom.storage.store import Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    yield opened
    opened.close()


def installations(store: Store) -> SlackInstallations:
    sealer = Sealer([Fernet.generate_key().decode()], wrong_key=RuntimeError)
    return SlackInstallations(StoredInstallations(store), sealer)


async def test_what_bolt_saves_it_finds_and_deletes(store: Store) -> None:
    slack = installations(store)
    await slack.async_save(
        Installation(
            app_id="A1",
            team_id="T1",
            team_name="acme",
            bot_token="xoxb-T1-secret",
            bot_id="B1",
            bot_user_id="UB1",
            bot_scopes="commands,chat:write",
            user_id="U0ADMIN",
        )
    )
    bot = await slack.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_user_id) == ("xoxb-T1-secret", "UB1")
    assert bot.bot_scopes == ["commands", "chat:write"]
    found = await slack.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.user_id == "U0ADMIN"
    assert await slack.async_find_installation(enterprise_id=None, team_id="T2") is None
    (record,) = await slack.records.every("slack")
    assert "xoxb" not in record.sealed and record.name == "acme"
    await slack.async_delete_installation(enterprise_id=None, team_id="T1")
    assert await slack.async_find_bot(enterprise_id=None, team_id="T1") is None


async def test_a_refreshed_bot_token_replaces_the_installations(store: Store) -> None:
    slack = installations(store)
    await slack.async_save(Installation(team_id="T1", bot_token="xoxb-old", user_id="U0ADMIN"))
    refreshed = Bot(
        team_id="T1", bot_token="xoxb-new", bot_id="B1", bot_user_id="UB1", installed_at=1.0
    )
    await slack.async_save_bot(refreshed)
    assert await slack.token("T1") == "xoxb-new"
    assert await slack.tokens() == {"T1": "xoxb-new"}
