"""The Slack adapter's settings, secrets resolved (see factory.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from warroom.adapters.slack.sealing import Sealer
from warroom.bot.domain.language import Language


@dataclass(frozen=True)
class InstallSettings:
    """Slack's OAuth flow, for workspaces that install warroom themselves."""

    client_id: str
    client_secret: str
    sealer: Sealer  # installed tokens are stored sealed with it
    redirect_url: str = ""  # "" lets Slack use the app's configured redirect URL
    teams: frozenset[str] = frozenset()  # the configured workspaces: only they may install
    state_ttl_s: int = 600
    # team id -> the language of the org it is: the page an install ends on speaks it
    languages: Mapping[str, Language] = field(default_factory=dict)


@dataclass(frozen=True)
class SlackSettings:
    """Everything the adapter needs, secrets resolved (see factory.py)."""

    mode: str  # "socket" or "http"
    api_url: str
    bot_tokens: dict[str, str]  # team id -> bot token, from config
    signing_secret: str = ""
    app_token: str = ""
    ping_interval: float = 10.0
    modal_orgs: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    installs: InstallSettings | None = None
