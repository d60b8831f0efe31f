"""What a process's transaction queues is leased to it in that transaction and delivered
straight after commit, with no claim transaction; no other process takes it meanwhile, and a
failed delivery is retried with backoff as any claimed item is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import col, select

from tests.fakes.bot import TestBot
from warroom.bot.runtime.outbox import LEASE, OutboxDispatcher
from warroom.storage.models import Outbox
from warroom.storage.store import Store, UnitOfWork


@pytest.fixture
async def leasing(store_url: str) -> AsyncIterator[TestBot]:
    bot = TestBot(store_url)
    bot.app.outbox.deliver_on_commit()
    yield bot
    await bot.close()


def items(bot: TestBot) -> list[Outbox]:
    def rows(uow: UnitOfWork) -> list[Outbox]:
        return list(uow.session.exec(select(Outbox).order_by(col(Outbox.id))))

    return bot.app.store.transaction_sync(rows)


async def test_an_opened_incident_gets_its_room_without_a_claim_transaction(
    leasing: TestBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_claim(uow: UnitOfWork) -> list[object]:
        raise AssertionError("claimed from the database")

    monkeypatch.setattr(leasing.app.outbox, "_claim", no_claim)
    await leasing.open()
    kinds = [s.kind for s in leasing.adapter.sent]
    assert kinds[0] == "create_room"
    assert all(row.done_at is not None for row in items(leasing))


async def test_a_failed_item_leased_on_commit_is_retried_with_backoff_once(
    leasing: TestBot, store_url: str
) -> None:
    leasing.adapter.down = True  # the platform is out: the room's item stays queued
    await leasing.send('open "DB leak" --sev 2')
    create = [row for row in items(leasing) if row.action == "create_room"]
    assert [(row.attempts, row.done_at) for row in create] == [(1, None)]
    leasing.adapter.down = False
    other_store = Store(store_url)
    try:
        other = OutboxDispatcher(
            other_store,
            leasing.clock,
            {"fake": leasing.adapter},
            leasing.app.outbox.actions,
            leasing.config,
        )
        assert await other.drain() == 0  # backing off: nobody delivers it yet
        leasing.clock.advance(LEASE + timedelta(minutes=10))
        assert await other.drain() >= 1  # then whoever claims it first
    finally:
        other_store.close()
    assert [s.kind for s in leasing.adapter.sent if s.kind == "create_room"] == ["create_room"]


async def test_an_item_is_leased_in_the_transaction_that_queues_it(leasing: TestBot) -> None:
    def queue_one(uow: UnitOfWork) -> None:
        now = leasing.clock.now()
        uow.outbox.add(
            Outbox(
                platform="fake", action="shout", payload="{}", created_at=now, next_attempt_at=now
            )
        )

    leasing.app.store.transaction_sync(queue_one)
    row = items(leasing)[-1]
    assert row.attempts == 1
    assert row.next_attempt_at == leasing.clock.now() + LEASE


async def test_a_serving_process_answers_an_opening_before_syncing_its_card(
    leasing: TestBot,
) -> None:
    leasing.app.outbox.settling.deferred = True  # as App.start sets it
    sent = await leasing.send('open "DB leak" --sev 2')
    kinds = [s.kind for s in sent]
    assert kinds[0] == "create_room" and "notify" in kinds
    assert "pin" not in kinds  # the room's card follows the answer
    await leasing.app.core.settled()
    after = [s.kind for s in leasing.adapter.sent]
    assert after.index("pin") > after.index("notify")
