from __future__ import annotations

from collections.abc import Sequence

from tests.fakes.adapter import FakeAdapter
from tests.fakes.bot import TestBot
from warroom.bot.config import Config, OrgConfig
from warroom.bot.domain.events import RoomRef, UserRef


class LeveledAdapter(FakeAdapter):
    """A platform with power levels: it is told who leads each war room."""

    def __init__(self) -> None:
        super().__init__()
        self.leads: list[list[str]] = []

    async def set_leads(self, room: RoomRef, leads: Sequence[UserRef]) -> None:
        self.leads.append([u.user_id for u in leads])


async def test_platforms_with_power_levels_learn_who_leads_after_each_handover(
    store_url: str,
) -> None:
    config = Config(orgs=(OrgConfig(id="acme", platform="fake", workspace="acme"),))
    bot = TestBot(store_url, config=config)
    adapter = LeveledAdapter()
    bot.adapter = adapter
    bot.app.services.adapters = {"fake": adapter}
    bot.app.services.outbox.adapters = {"fake": adapter}
    try:
        await bot.open()
        assert adapter.leads[-1] == ["alice"]
        await bot.send("role deputy @bob")
        assert adapter.leads[-1] == ["alice", "bob"]
        await bot.send("role deputy @carol")
        assert adapter.leads[-1] == ["alice", "carol"]
    finally:
        await bot.close()
