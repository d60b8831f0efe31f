"""The store runs a SQLite unit of work on the event loop only when the write lock is free;
when another connection holds it, the unit of work waits on the writer thread instead."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

from warroom.storage.store import Store, UnitOfWork


def _stamp(uow: UnitOfWork) -> str:
    uow.state.set("stamp", "written")
    return threading.current_thread().name


async def test_a_free_write_lock_is_taken_on_the_event_loop(store_url: str) -> None:
    store = Store(store_url)
    try:
        ran_on = await store.transaction(_stamp)
        assert store.transaction_sync(lambda uow: uow.state.get("stamp")) == "written"
        expected = threading.current_thread().name if store_url.startswith("sqlite") else "store"
        assert ran_on.startswith(expected)
    finally:
        store.close()


async def test_a_held_sqlite_write_lock_is_waited_for_off_the_event_loop(sqlite_url: str) -> None:
    from warroom.storage.migrate import upgrade

    upgrade(sqlite_url)
    store = Store(sqlite_url)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process writing
        writing = asyncio.create_task(store.transaction(_stamp))
        ticks = 0
        while ticks < 5:  # the loop keeps running while the unit of work waits
            await asyncio.sleep(0.01)
            ticks += 1
        assert not writing.done()
        other.execute("COMMIT")
        ran_on = await asyncio.wait_for(writing, 5)
        assert ran_on.startswith("store")
        assert store.transaction_sync(lambda uow: uow.state.get("stamp")) == "written"
    finally:
        other.close()
        store.close()
