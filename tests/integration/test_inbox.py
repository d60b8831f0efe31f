"""The durable intake: stored before the ack, processed from the inbox in order per room,
once; what a crash left unprocessed is processed on start; a locked store says so in time."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.events import (
    Actor,
    CommandReceived,
    Inbound,
    MessagePosted,
    MessageRef,
    ReactionAdded,
    RoomRef,
    UserRef,
)
from warroom.bot.domain.port import NotStored
from warroom.bot.runtime.inbox import Intake, dump, load
from warroom.storage.migrate import upgrade
from warroom.storage.store import Store

ALICE = Actor(UserRef("slack", "T1", "U1", "Alice"), "acme")
ROOM_A, ROOM_B = RoomRef("slack", "T1", "CA"), RoomRef("slack", "T1", "CB")


def note(room: RoomRef, n: int) -> CommandReceived:
    return CommandReceived(ALICE, room, f"note {n}", f"{room.room_id}-{n}")


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Inbound] = []

    async def __call__(self, event: Inbound) -> None:
        await asyncio.sleep(0)
        self.seen.append(event)


def intake(store: Store, process: Recorder, budget_s: float = 2.0) -> Intake:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    return Intake(store, writer=store.sibling(), clock=clock, process=process, budget_s=budget_s)


def pending(store: Store) -> int:
    return len(store.transaction_sync(lambda uow: uow.inbox.pending()))


def test_events_round_trip_through_their_stored_form() -> None:
    reaction = ReactionAdded(ALICE, ROOM_A, MessageRef(ROOM_A, "1.2"), "pushpin", "r-1")
    message = MessagePosted(ALICE, ROOM_A, "hi", "m-1", message_id="1.3", reply_to="1.1")
    for event in (note(ROOM_A, 1), reaction, message):
        assert load(*dump(event)) == event
        assert load(*dump(event)).actor.user.display == "Alice"


async def test_a_replay_is_stored_once_and_processed_once(store_url: str) -> None:
    store, seen = Store(store_url), Recorder()
    inbox = intake(store, seen)
    inbox.open()
    await inbox.accept(note(ROOM_A, 1))
    await inbox.accept(note(ROOM_A, 1))
    await inbox.idle()
    assert [e.event_id for e in seen.seen] == ["CA-1"]
    assert pending(store) == 0
    await inbox.stop()
    inbox.writer.close()
    store.close()


async def test_each_room_is_processed_in_the_order_its_events_were_stored(
    store_url: str,
) -> None:
    store, seen = Store(store_url), Recorder()
    inbox = intake(store, seen)
    inbox.open()
    for n in range(20):
        await inbox.accept(note(ROOM_A if n % 2 else ROOM_B, n))
    await inbox.idle()
    for room in (ROOM_A, ROOM_B):
        order = [e.event_id for e in seen.seen if e.room == room]
        assert order == sorted(order, key=lambda i: int(i.split("-")[1]))
        assert len(order) == 10
    await inbox.stop()
    inbox.writer.close()
    store.close()


async def test_what_was_stored_but_not_processed_is_processed_on_start(
    store_url: str,
) -> None:
    store = Store(store_url)
    crashed = intake(store, Recorder())  # never opened: stored, then the process "dies"
    for n in range(3):
        await crashed.accept(note(ROOM_A, n))
    assert pending(store) == 3
    crashed.writer.close()
    seen = Recorder()
    restarted = intake(store, seen)
    assert await restarted.recover() == 3
    restarted.open()
    await restarted.idle()
    assert [e.event_id for e in seen.seen] == ["CA-0", "CA-1", "CA-2"]
    assert pending(store) == 0
    await restarted.stop()
    restarted.writer.close()
    store.close()


async def test_a_held_write_lock_is_a_clear_failure_within_the_budget(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    store = Store(sqlite_url)
    seen = Recorder()
    inbox = intake(store, seen, budget_s=0.5)
    inbox.open()
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        start = time.monotonic()
        with pytest.raises(NotStored):
            await inbox.accept(note(ROOM_A, 1))
        assert time.monotonic() - start < 1.0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await inbox.accept(note(ROOM_A, 2))  # the lock gone, the next one is stored
    await inbox.idle()
    assert [e.event_id for e in seen.seen] == ["CA-2"]
    await inbox.stop()
    inbox.writer.close()
    store.close()


def said(room: RoomRef, ts: str) -> MessagePosted:
    return MessagePosted(ALICE, room, f"said at {ts}", ts)


def by_ts(event: Inbound) -> Decimal | None:
    return Decimal(event.event_id) if isinstance(event, MessagePosted) else None


async def test_a_held_room_is_stored_at_once_and_processed_after_release_in_said_order(
    store_url: str,
) -> None:
    store, seen = Store(store_url), Recorder()
    inbox = intake(store, seen)
    inbox.open()
    inbox.hold(ROOM_A)
    await inbox.accept(said(ROOM_A, "30.0"))
    reaction = ReactionAdded(ALICE, ROOM_A, MessageRef(ROOM_A, "30.0"), "eyes", "r-1")
    await inbox.accept(reaction)
    await inbox.accept(note(ROOM_B, 1))  # another room goes on
    await inbox.accept(said(ROOM_A, "10.0"))  # caught up: said before the live one
    await inbox.accept(said(ROOM_A, "20.0"))
    await inbox.idle()
    assert [e.event_id for e in seen.seen] == ["CB-1"]
    assert pending(store) == 4, "held, and stored"

    inbox.release(ROOM_A, said_order=by_ts)
    await inbox.idle()
    assert [e.event_id for e in seen.seen[1:]] == ["10.0", "20.0", "30.0", "r-1"]
    assert pending(store) == 0
    await inbox.stop()
    inbox.writer.close()
    store.close()


async def test_a_held_platform_waits_until_its_last_hold_is_released(store_url: str) -> None:
    store, seen = Store(store_url), Recorder()
    inbox = intake(store, seen)
    inbox.open()
    inbox.hold("slack")
    inbox.hold("slack")
    await inbox.accept(note(ROOM_A, 1))
    inbox.release("slack")
    await inbox.idle()
    assert seen.seen == []
    inbox.release("slack")
    await inbox.idle()
    assert [e.event_id for e in seen.seen] == ["CA-1"]
    await inbox.stop()
    inbox.writer.close()
    store.close()


async def test_a_held_event_that_is_not_a_message_falls_at_when_it_arrived(
    store_url: str,
) -> None:
    store, seen = Store(store_url), Recorder()
    inbox = intake(store, seen)
    inbox.open()
    inbox.hold(ROOM_A)
    await inbox.accept(note(ROOM_A, 1))  # typed live: after what was said before it
    await inbox.accept(said(ROOM_A, f"{time.time() - 60:.6f}"))  # caught up: a minute ago
    await inbox.accept(said(ROOM_A, f"{time.time() + 60:.6f}"))  # said after the command
    inbox.release(ROOM_A, said_order=by_ts)
    await inbox.idle()
    assert [type(e).__name__ for e in seen.seen] == [
        "MessagePosted",
        "CommandReceived",
        "MessagePosted",
    ]
    assert seen.seen[0].event_id < seen.seen[2].event_id
    await inbox.stop()
    inbox.writer.close()
    store.close()
