from __future__ import annotations

import pytest

from warroom.adapters.slack.factory import slack_settings
from warroom.bot.config import ConfigError, parse_config

RAW = {
    "http": {"listen": "0.0.0.0:3000"},
    "slack": {"mode": "http", "api_url": "https://slack-gov.com/api/"},
    "orgs": [
        {"id": "acme", "platform": "slack", "workspace": "T1", "bot_token_env": "T_ACME"},
        {"id": "cloud", "platform": "slack", "workspace": "T2", "bot_token_env": "T_CLOUD"},
        {"id": "cert", "platform": "console"},
    ],
    "sharing": [{"orgs": ["acme", "cloud"]}],
}


def test_settings_come_from_config_and_the_named_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("T_ACME", "xoxb-1")
    monkeypatch.setenv("T_CLOUD", "xoxb-2")
    monkeypatch.setenv("WARROOM_SLACK_SIGNING_SECRET", "s3cret")
    settings = slack_settings(parse_config(RAW))
    assert settings.bot_tokens == {"T1": "xoxb-1", "T2": "xoxb-2"}
    assert (settings.mode, settings.signing_secret, settings.app_token) == ("http", "s3cret", "")
    assert settings.api_url == "https://slack-gov.com/api/"
    assert settings.modal_orgs["acme"] == (("cloud", "cloud"),)


def test_a_missing_secret_names_the_config_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_ACME", "xoxb-1")
    monkeypatch.delenv("T_CLOUD", raising=False)
    with pytest.raises(ConfigError, match=r"orgs\[1\].bot_token_env"):
        slack_settings(parse_config(RAW))
    monkeypatch.setenv("T_CLOUD", "xoxb-2")
    monkeypatch.delenv("WARROOM_SLACK_APP_TOKEN", raising=False)
    socket = {**RAW, "slack": {"mode": "socket"}}
    with pytest.raises(ConfigError, match=r"slack\.app_token_env"):
        slack_settings(parse_config(socket))
