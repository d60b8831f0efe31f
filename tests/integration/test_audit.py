"""The hash chain makes any change behind the bot's back visible."""

from __future__ import annotations

from sqlalchemy import text

from tests.fakes.bot import TestBot
from warroom.bot.operations.audit import verify
from warroom.storage.chain_rows import hashed_query, hashed_rows, through_sqlalchemy


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


async def test_the_rows_verify_reads_are_those_sqlalchemy_reads(bot: TestBot) -> None:
    await opened_with_notes(bot)
    tamper(bot, "UPDATE timelineentry SET text = 'Grüße, 東京 \"quoted\"\\n' WHERE seq = 2")
    if bot.app.store.engine.dialect.name == "sqlite":  # a time stored in another form
        tamper(bot, "UPDATE timelineentry SET at = '2026-12-01T10:00:00+02:00' WHERE seq = 3")
    with bot.app.store.engine.connect() as conn:
        incident = conn.execute(text("SELECT id FROM incident")).scalar_one()
        read = list(hashed_rows(conn, incident))
        assert read == list(through_sqlalchemy(conn, hashed_query(incident)))
    assert len(read) == 6
