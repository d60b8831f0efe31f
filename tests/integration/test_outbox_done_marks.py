"""Delivered items are marked done in shared transactions: deliveries that finish together
wait for one mark between them, and none goes on before its own mark is stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TypeVar

import pytest

from warroom.bot.domain.clock import FakeClock
from warroom.bot.runtime.done_marks import DoneMarks
from warroom.storage.models import Outbox
from warroom.storage.store import Store, UnitOfWork

T = TypeVar("T")


class CountingStore(Store):
    """A real store that counts its transactions, and can be told to fail them."""

    transactions = 0
    failing = False

    async def transaction(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        deadline: float | None = None,
        light: bool = False,
    ) -> T:
        self.transactions += 1
        if self.failing:
            raise OSError("the database went away")
        return await super().transaction(work, deadline=deadline, light=light)


def queue(store: Store, clock: FakeClock, count: int) -> list[int]:
    def add(uow: UnitOfWork) -> list[int]:
        rows = [
            uow.outbox.add(
                Outbox(
                    platform="fake",
                    action="post",
                    payload=json.dumps({"n": n}),
                    created_at=clock.now(),
                    next_attempt_at=clock.now(),
                )
            )
            for n in range(count)
        ]
        return [row.id or 0 for row in rows]

    return store.transaction_sync(add)


def done(store: Store, item_id: int) -> bool:
    row = store.transaction_sync(lambda uow: uow.outbox.get(item_id))
    return row is not None and row.done_at is not None


@pytest.fixture
def store(store_url: str) -> CountingStore:
    return CountingStore(store_url)


async def test_deliveries_finishing_together_share_a_mark_and_each_waits_for_its_own(
    store: CountingStore,
) -> None:
    clock = FakeClock()
    items = queue(store, clock, 20)
    marks = DoneMarks(store, clock)
    seen_done: list[bool] = []

    async def deliver(item_id: int) -> None:
        await marks.mark([item_id])
        seen_done.append(done(store, item_id))  # stored by the time the delivery goes on

    try:
        await asyncio.gather(*(deliver(item_id) for item_id in items))
        assert seen_done == [True] * len(items)
        assert store.transactions <= 2  # the first alone, every later one in the next
        await marks.mark([])  # nothing to mark is a no-op, not an error
    finally:
        store.close()


async def test_a_failed_mark_fails_every_delivery_waiting_for_it(store: CountingStore) -> None:
    clock = FakeClock()
    items = queue(store, clock, 3)
    marks = DoneMarks(store, clock)
    store.failing = True
    try:
        results = await asyncio.gather(
            *(marks.mark([item_id]) for item_id in items), return_exceptions=True
        )
        assert all(isinstance(r, OSError) for r in results)
        store.failing = False
        assert not any(done(store, item_id) for item_id in items)
        await marks.mark(items)  # the next mark is written as usual
        assert all(done(store, item_id) for item_id in items)
    finally:
        store.close()
