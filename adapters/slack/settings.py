"""The Slack adapter's settings, secrets resolved (see factory.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlackSettings:
    """Everything the adapter needs, secrets resolved (see factory.py)."""

    mode: str  # "socket" or "http"
    api_url: str
    bot_tokens: dict[str, str]  # team id -> bot token
    signing_secret: str = ""
    app_token: str = ""
    ping_interval: float = 10.0
    modal_orgs: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
