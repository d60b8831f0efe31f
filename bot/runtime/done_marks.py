"""Marking delivered outbox items done: the marks of deliveries that finish together are
written in one transaction (a group commit)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from warroom.bot.domain.clock import Clock
from warroom.storage.store import Store, UnitOfWork


class DoneMarks:
    """A delivery waits until its items are marked done, so the next item of its room still
    waits as before; but the deliveries that finish while one mark is being written share
    the next, instead of each waiting for a transaction of its own (a burst of reminders
    to a thousand rooms)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._waiting: list[tuple[list[int], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, item_ids: Sequence[int]) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((list(item_ids), written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="outbox-done-marks")
        await written

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            item_ids = [item_id for ids, _ in batch for item_id in ids]
            try:
                # one statement, whatever the batch: on SQLite it may run on the loop, so a
                # command's own light transaction does not queue on the thread behind it
                await self._store.transaction(
                    partial(mark_done, item_ids=item_ids, clock=self._clock), light=True
                )
            except Exception as exc:  # each waiting delivery sees the failure as its own
                for _, written in batch:
                    if not written.done():
                        written.set_exception(exc)
            else:
                for _, written in batch:
                    if not written.done():
                        written.set_result(None)


def mark_done(uow: UnitOfWork, *, item_ids: Sequence[int], clock: Clock) -> None:
    uow.outbox.mark_done(item_ids, clock.now())
