"""Incident numbers come from a counter row in the database, so processes never collide."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from tests.fakes.bot import TestBot
from warroom.storage.engine import make_engine
from warroom.storage.migrate import upgrade
from warroom.storage.models import Counter, Incident


def _numbers(bot: TestBot) -> list[int]:
    with bot.db() as uow:
        return [incident.number for incident in uow.incidents.all()]


async def test_two_processes_opening_at_once_get_distinct_contiguous_numbers(
    store_url: str,
) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: two processes share one database there")
    first, second = TestBot(store_url), TestBot(store_url)  # two engines: two sessions
    try:
        await asyncio.gather(
            *(
                bot.send(f'open "Leak {name}{i}" --sev 2', event_id=f"{name}{i}")
                for i in range(20)
                for name, bot in (("a", first), ("b", second))
            )
        )
        assert _numbers(first) == list(range(1, 41))
    finally:
        await first.close()
        await second.close()


async def test_an_upgraded_database_continues_from_its_highest_number(
    empty_store_url: str,
) -> None:
    upgrade(empty_store_url, "0003")
    engine = make_engine(empty_store_url)
    try:
        with Session(engine) as session:
            for number in (3, 7):
                session.add(
                    Incident(
                        number=number,
                        key=f"INC-{number}",
                        title="Before the counter",
                        severity=2,
                        tlp="AMBER",
                        opened_at=datetime(2026, 1, 1, tzinfo=UTC),
                    )
                )
            session.commit()
    finally:
        engine.dispose()
    upgrade(empty_store_url)
    bot = TestBot(empty_store_url)
    try:
        await bot.open()
        assert _numbers(bot) == [3, 7, 8]
    finally:
        await bot.close()


async def test_a_missing_counter_row_is_seeded_from_the_incidents(bot: TestBot) -> None:
    await bot.open()
    with bot.db() as uow:
        uow.session.exec(delete(Counter))
        uow.commit()
    await bot.open()
    assert _numbers(bot) == [1, 2]
    with bot.db() as uow:
        assert uow.session.exec(select(col(Counter.value))).all() == [2]
