"""`open --tlp LEVEL` keeps the level asked for, CLEAR (the lowest) included."""

from __future__ import annotations

import pytest

from tests.fakes.bot import TestBot
from warroom.bot.operations.export import incident_export


@pytest.mark.parametrize(
    ("flag", "stored"), [("--tlp clear", "CLEAR"), ("--tlp green", "GREEN"), ("", "AMBER")]
)
async def test_open_keeps_the_tlp_asked_for(bot: TestBot, flag: str, stored: str) -> None:
    await bot.send(f'open "Advisory published" {flag}')
    data = bot.app.store.transaction_sync(lambda uow: incident_export(uow, "INC-1"))
    assert data["tlp"] == stored
