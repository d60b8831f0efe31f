"""Which organisation a person belongs to, from config."""

from __future__ import annotations

from warroom.bot.config import Config, OrgConfig
from warroom.bot.domain.events import UserRef


class OrgDirectory:
    """Explicit user lists win; then the user's Slack team or Matrix server; console users
    carry their org as their workspace."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._by_user = {(o.platform, u): o.id for o in config.orgs for u in o.users}
        self._by_workspace = {(o.platform, o.workspace): o.id for o in config.orgs}

    def org_of(self, user: UserRef) -> str | None:
        found = self._by_user.get((user.platform, user.user_id))
        if found is None:
            found = self._by_workspace.get((user.platform, user.workspace))
        if found is None and user.platform == "console":
            found = user.workspace or None
        return found

    def get(self, org_id: str) -> OrgConfig | None:
        return self.config.org(org_id)

    def display(self, org_id: str) -> str:
        org = self.get(org_id)
        return org.display if org else org_id
