"""The parts of Slack installs that need no network: sealing, config, the authorise URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet

import warroom.adapters.slack as slack_package
from warroom.adapters.slack.factory import slack_settings
from warroom.adapters.slack.oauth import SCOPES, authorization_url
from warroom.adapters.slack.sealing import BadKey, Sealer, split_keys
from warroom.bot.config import ConfigError, parse_config

MANIFEST = yaml.safe_load((Path(slack_package.__file__).parent / "manifest.yml").read_text())
INSTALLS = {
    "client_id_env": "T_CLIENT_ID",
    "client_secret_env": "T_CLIENT_SECRET",
    "token_key_env": "T_TOKEN_KEY",
}


def raw(slack: dict[str, Any]) -> dict[str, Any]:
    return {
        "slack": {"mode": "http", **slack},
        "orgs": [
            {"id": "acme", "platform": "slack", "workspace": "T1", "bot_token_env": "T_ACME"},
            {"id": "cloud", "platform": "slack", "workspace": "T2"},
        ],
    }


class Wrong(Exception):
    pass


def test_a_sealed_token_reads_as_nothing_and_opens_with_the_key() -> None:
    sealer = Sealer([Fernet.generate_key().decode()], wrong_key=Wrong)
    sealed = sealer.seal("xoxb-1-secret")
    assert "xoxb" not in sealed and sealed != sealer.seal("xoxb-1-secret")
    assert sealer.open(sealed, workspace="T1") == "xoxb-1-secret"


def test_another_key_cannot_open_it_and_says_which_workspace() -> None:
    sealed = Sealer([Fernet.generate_key().decode()], wrong_key=Wrong).seal("xoxb-1")
    other = Sealer([Fernet.generate_key().decode()], wrong_key=Wrong)
    with pytest.raises(Wrong, match="workspace T9"):
        other.open(sealed, workspace="T9")


def test_keys_rotate_newest_first() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Sealer([old], wrong_key=Wrong).seal("xoxb-1")
    both = Sealer(split_keys(f" {new} , {old} "), wrong_key=Wrong)
    assert both.open(sealed, workspace="T1") == "xoxb-1"
    assert Sealer([new], wrong_key=Wrong).open(both.seal("xoxb-2"), workspace="T1") == "xoxb-2"


def test_a_key_that_is_not_a_fernet_key_is_refused() -> None:
    with pytest.raises(BadKey, match="not a Fernet key"):
        Sealer(["hunter2"], wrong_key=Wrong)


def test_an_org_may_name_only_its_team_id_when_installs_are_on() -> None:
    with pytest.raises(ConfigError, match=r"orgs\[1\]\.bot_token_env"):
        parse_config(raw({}))
    config = parse_config(raw(INSTALLS))
    assert [o.needs_install for o in config.orgs] == [False, True]


@pytest.mark.parametrize("missing", ["client_secret_env", "token_key_env"])
def test_installs_need_the_secret_and_the_key(missing: str) -> None:
    with pytest.raises(ConfigError, match=rf"slack\.{missing}"):
        parse_config(raw({k: v for k, v in INSTALLS.items() if k != missing}))


def test_install_settings_come_from_the_named_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode()
    for name, value in {"T_ACME": "xoxb-1", "WARROOM_SLACK_SIGNING_SECRET": "s"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("T_CLIENT_ID", "123.456")
    monkeypatch.setenv("T_CLIENT_SECRET", "shh")
    monkeypatch.setenv("T_TOKEN_KEY", key)
    settings = slack_settings(parse_config(raw(INSTALLS)))
    assert settings.bot_tokens == {"T1": "xoxb-1"}  # T2's token comes from its install
    assert settings.installs is not None
    assert (settings.installs.client_id, settings.installs.client_secret) == ("123.456", "shh")
    assert settings.installs.teams == {"T1", "T2"}


@pytest.mark.parametrize(("value", "problem"), [("", "is empty"), ("short", "not a Fernet key")])
def test_a_missing_or_malformed_key_names_its_key(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("T_ACME", "xoxb-1")
    monkeypatch.setenv("WARROOM_SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("T_CLIENT_ID", "123.456")
    monkeypatch.setenv("T_CLIENT_SECRET", "shh")
    monkeypatch.setenv("T_TOKEN_KEY", value)
    with pytest.raises(ConfigError, match=rf"slack\.token_key_env: .*{problem}"):
        slack_settings(parse_config(raw(INSTALLS)))


def test_the_install_asks_for_the_manifests_scopes() -> None:
    assert list(SCOPES) == MANIFEST["oauth_config"]["scopes"]["bot"]


def test_uninstall_events_are_subscribed() -> None:
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked"} <= events


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        ("https://slack.com/api/", "https://slack.com/oauth/v2/authorize"),
        ("https://slack-gov.com/api/", "https://slack-gov.com/oauth/v2/authorize"),
        ("http://127.0.0.1:8111/api/", "http://127.0.0.1:8111/oauth/v2/authorize"),
    ],
)
def test_the_authorise_page_is_on_the_web_apis_host(api_url: str, expected: str) -> None:
    assert authorization_url(api_url) == expected
