"""Slack installations over warroom's database: bolt's installation and OAuth state stores,
and the installed workspaces' tokens as the Web API clients read them.

What bolt hands over on an install is sealed whole (bot token, scopes, ids) before it is
stored, so the database never holds a token it could read back by itself.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from warroom.adapters.slack.sealing import Sealer
from warroom.bot.domain import port

log = logging.getLogger(__name__)

PLATFORM = "slack"
# What an installation keeps of bolt's `Installation`: enough to act as the bot.
KEPT = (
    "app_id",
    "enterprise_id",
    "team_id",
    "team_name",
    "bot_token",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_refresh_token",
    "user_id",
)
Now = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class SlackInstallations(AsyncInstallationStore):
    """Bolt's installation store, one installation per workspace (bot tokens only)."""

    def __init__(self, records: port.Installations, sealer: Sealer, *, now: Now = _now) -> None:
        self.records = records
        self.sealer = sealer
        self.now = now

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        kept = {name: getattr(installation, name) for name in KEPT}
        await self._save(kept)

    async def async_save_bot(self, bot: Bot) -> None:
        """A bot's refreshed token (token rotation) replaces its installation's."""
        kept = await self.kept(bot.team_id or "") or {"team_id": bot.team_id, "user_id": ""}
        for name in ("app_id", "enterprise_id", "bot_token", "bot_id", "bot_user_id"):
            kept[name] = getattr(bot, name)
        kept["bot_scopes"], kept["bot_refresh_token"] = bot.bot_scopes, bot.bot_refresh_token
        await self._save(kept)

    async def _save(self, kept: dict[str, Any]) -> None:
        team = str(kept.get("team_id") or "")
        record = port.Installation(
            platform=PLATFORM,
            workspace=team,
            sealed=self.sealer.seal(json.dumps(kept)),
            installed_at=self.now(),
            name=str(kept.get("team_name") or ""),
            installed_by=str(kept.get("user_id") or ""),
        )
        await self.records.save(record)
        log.warning("Slack workspace %s (%s) installed warroom", team, record.name)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        kept = await self.kept(team_id or "")
        if kept is None or (user_id is not None and user_id != kept.get("user_id")):
            return None
        return Installation(**kept)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.async_find_installation(enterprise_id=enterprise_id, team_id=team_id)
        return found.to_bot() if found is not None else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.remove(team_id or "")

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self.remove(team_id or "")

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.remove(team_id or "")

    # what warroom itself asks

    async def remove(self, team: str) -> bool:
        gone = await self.records.remove(PLATFORM, team)
        if gone:
            log.warning(
                "Slack workspace %s uninstalled warroom: its installation is removed", team
            )
        return gone

    async def kept(self, team: str) -> dict[str, Any] | None:
        record = await self.records.find(PLATFORM, team)
        return self._open(record) if record is not None else None

    async def token(self, team: str) -> str | None:
        kept = await self.kept(team)
        return str(kept["bot_token"]) if kept and kept.get("bot_token") else None

    async def tokens(self) -> dict[str, str]:
        """Every installed workspace's bot token; a key that cannot open one raises."""
        found: dict[str, str] = {}
        for record in await self.records.every(PLATFORM):
            token = self._open(record).get("bot_token")
            if token:
                found[record.workspace] = str(token)
        return found

    def _open(self, record: port.Installation) -> dict[str, Any]:
        kept: dict[str, Any] = json.loads(
            self.sealer.open(record.sealed, workspace=record.workspace)
        )
        return kept


class SlackInstallStates(AsyncOAuthStateStore):
    """OAuth states in the database: good once, until they expire, in whichever process the
    browser comes back to."""

    def __init__(self, records: port.Installations, *, ttl_s: int, now: Now = _now) -> None:
        self.records = records
        self.ttl = timedelta(seconds=ttl_s)
        self.now = now

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        await self.records.issue_state(PLATFORM, state, self.now() + self.ttl)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state:
            return False
        return await self.records.consume_state(PLATFORM, state, self.now())
