"""Config in, Slack adapter out: secrets from the environment variables the config names."""

from __future__ import annotations

from warroom.adapters.slack.adapter import SlackAdapter
from warroom.adapters.slack.sealing import BadKey, Sealer, split_keys
from warroom.adapters.slack.settings import InstallSettings, SlackSettings
from warroom.bot.config import Config, ConfigError, SlackConfig, secret
from warroom.bot.directory import OrgDirectory


def build_slack_adapter(config: Config) -> SlackAdapter:
    return SlackAdapter(
        slack_settings(config), org_of=OrgDirectory(config).org_of, language_of=config.language
    )


def slack_settings(config: Config) -> SlackSettings:
    slack = config.slack
    if slack is None:
        raise ConfigError("slack", "a Slack org needs a [slack] section")
    tokens: dict[str, str] = {}
    for i, org in enumerate(config.orgs):
        if org.platform != "slack" or org.needs_install:
            continue
        token = secret(org.bot_token_env, f"orgs[{i}].bot_token_env")
        if tokens.setdefault(org.workspace, token) != token:
            raise ConfigError(
                f"orgs[{i}].bot_token_env", f"workspace {org.workspace} already has another token"
            )
    signing_secret = app_token = ""
    if slack.mode == "http":
        signing_secret = secret(slack.signing_secret_env, "slack.signing_secret_env")
    else:
        app_token = secret(slack.app_token_env, "slack.app_token_env")
    return SlackSettings(
        mode=slack.mode,
        api_url=slack.api_url,
        bot_tokens=tokens,
        signing_secret=signing_secret,
        app_token=app_token,
        modal_orgs=modal_orgs(config),
        installs=install_settings(slack, config) if slack.installs else None,
    )


def install_settings(slack: SlackConfig, config: Config) -> InstallSettings:
    keys = split_keys(secret(slack.token_key_env, "slack.token_key_env"))
    try:
        sealer = Sealer(keys, wrong_key=lambda why: ConfigError("slack.token_key_env", why))
    except BadKey as exc:
        raise ConfigError("slack.token_key_env", f"{slack.token_key_env}: {exc}") from None
    return InstallSettings(
        client_id=secret(slack.client_id_env, "slack.client_id_env"),
        client_secret=secret(slack.client_secret_env, "slack.client_secret_env"),
        sealer=sealer,
        redirect_url=slack.redirect_url,
        teams=frozenset(o.workspace for o in config.orgs if o.platform == "slack"),
        languages={o.workspace: o.language for o in config.orgs if o.platform == "slack"},
    )


def modal_orgs(config: Config) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each org, the orgs it has a sharing agreement with: the open modal's choices."""
    names = {org.id: org.display for org in config.orgs}
    choices: dict[str, tuple[tuple[str, str], ...]] = {}
    for org_id in names:
        partners = {o for share in config.sharing if org_id in share.orgs for o in share.orgs}
        choices[org_id] = tuple((p, names[p]) for p in sorted(partners - {org_id}))
    return choices
