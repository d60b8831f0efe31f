"""The store runs a light SQLite unit of work on the event loop only when the write lock is
free; when another connection holds it, the unit of work waits on the writer thread instead.
Any other unit of work always runs on a worker thread."""

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
        ran_on = await store.transaction(_stamp, light=True)
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
        writing = asyncio.create_task(store.transaction(_stamp, light=True))
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


async def test_a_unit_of_work_not_declared_light_runs_on_a_worker_thread(store_url: str) -> None:
    store = Store(store_url)
    try:
        assert (await store.transaction(_stamp)).startswith("store")
    finally:
        store.close()


async def test_a_light_unit_of_work_waits_for_one_already_on_the_thread(sqlite_url: str) -> None:
    from warroom.storage.migrate import upgrade

    upgrade(sqlite_url)
    store = Store(sqlite_url)
    order: list[str] = []

    def slow(uow: UnitOfWork) -> None:
        uow.state.set("stamp", "first")
        order.append("thread")

    def quick(uow: UnitOfWork) -> str:
        order.append("light")
        return threading.current_thread().name

    try:
        first = asyncio.create_task(store.transaction(slow))
        await asyncio.sleep(0)  # the first is handed to the thread
        ran_on = await store.transaction(quick, light=True)
        await first
        assert order == ["thread", "light"]  # queued behind it, never overtaking
        assert ran_on.startswith("store")
    finally:
        store.close()
