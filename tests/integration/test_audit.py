"""The hash chain makes any change behind the bot's back visible."""

from __future__ import annotations

from sqlalchemy import text

from tests.fakes.bot import TestBot
from warroom.bot.operations.audit import verify


async def opened_with_notes(bot: TestBot) -> None:
    await bot.open()
    for n in range(4):
        await bot.send(f"note entry {n}")


def problems(bot: TestBot, key: str | None = None) -> list[str]:
    checked, found = bot.app.store.transaction_sync(lambda uow: verify(uow, key))
    assert checked > 0
    return [str(p) for p in found]


def tamper(bot: TestBot, sql: str) -> None:
    with bot.app.store.engine.begin() as conn:
        conn.execute(text(sql))


async def test_an_untouched_store_verifies(bot: TestBot) -> None:
    await opened_with_notes(bot)
    assert problems(bot) == []
    assert problems(bot, "INC-1") == []


async def test_an_altered_entry_is_named(bot: TestBot) -> None:
    await opened_with_notes(bot)
    tamper(bot, "UPDATE timelineentry SET text = 'nothing to see' WHERE seq = 4")
    assert problems(bot) == ["INC-1 entry #4: altered: its hash does not match"]


async def test_a_rehashed_entry_still_breaks_the_chain_after_it(bot: TestBot) -> None:
    await opened_with_notes(bot)
    tamper(bot, "UPDATE timelineentry SET hash = '" + "a" * 64 + "' WHERE seq = 3")
    found = problems(bot)
    assert "INC-1 entry #3: altered: its hash does not match" in found
    assert "INC-1 entry #4: does not follow the entry before it" in found


async def test_a_deleted_entry_in_the_middle_is_named(bot: TestBot) -> None:
    await opened_with_notes(bot)
    tamper(bot, "DELETE FROM timelineentry WHERE seq = 3")
    found = problems(bot)
    assert "INC-1 entry #3: missing (deleted?)" in found


async def test_a_deleted_last_entry_is_noticed(bot: TestBot) -> None:
    await opened_with_notes(bot)
    tamper(bot, "DELETE FROM timelineentry WHERE seq = 6")
    found = problems(bot)
    assert len(found) == 1 and "the chain ends at #5" in found[0] and "#6" in found[0]
