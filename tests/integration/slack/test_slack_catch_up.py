"""What was said in a war room while warroom was away (stopped, or its Socket Mode connection
down) is fetched from Slack's history when it is back: on the timeline and relayed, in order,
once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import (
    ACME,
    ALICE,
    BOB,
    SlackRig,
    rig_config,
    rig_env,
)
from warroom.bot.domain.port import OpenRoom
from warroom.bot.runtime.open_rooms import StoredOpenRooms

MakeRig = Callable[..., Awaitable[SlackRig]]


@pytest.fixture
async def rigs(
    fake_slack: FakeSlack, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MakeRig]:
    """`await rigs(mode)` starts warroom on one database, as often as a test restarts it."""
    for name, value in rig_env(fake_slack).items():
        monkeypatch.setenv(name, value)
    made: list[SlackRig] = []

    async def make(
        mode: str,
        *,
        ping_interval: float = 10.0,
        ready: bool = True,
        before_start: Callable[[SlackRig], None] | None = None,
    ) -> SlackRig:
        config = rig_config(sqlite_url, fake_slack, mode)
        rig = SlackRig(fake_slack, config, mode, ping_interval=ping_interval)
        made.append(rig)
        if before_start is not None:
            before_start(rig)
        await rig.start(ready=ready)
        return rig

    yield make
    for rig in made:
        await rig.stop()


async def opened(rig: SlackRig, *orgs: str) -> list[str]:
    """Open an incident with `orgs` too; its rooms, acme's first."""
    with_orgs = "".join(f" --org {org}" for org in orgs)
    await rig.command(f'open "Away" --tlp amber{with_orgs}')
    await rig.settle()
    rooms = {r["org"]: r["room_id"] for r in rig.export()["rooms"]}
    return [rooms["acme"], *(rooms[org] for org in orgs)]


async def caught_up(rig: SlackRig, history: asyncio.Future[Any]) -> None:
    """Wait until the catch-up that `history` (its first call) belongs to is done."""
    await asyncio.wait_for(history, 10)
    await rig.settle()


def captured(rig: SlackRig) -> list[str]:
    return [e["text"] for e in rig.export()["timeline"] if e["kind"] == "message"]


def copies(rig: SlackRig, channel: str) -> list[dict[str, Any]]:
    """The relayed copies in `channel`, oldest first."""
    found = [m for m in rig.fake.channels[channel].messages.values() if "] " in m["text"]]
    return sorted(found, key=lambda m: float(m["ts"]))


def copy_of(rig: SlackRig, channel: str, text: str) -> dict[str, Any]:
    (copy,) = [m for m in copies(rig, channel) if m["text"].endswith(text)]
    return copy


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_what_was_said_while_warroom_was_stopped_is_captured_and_relayed_once(
    rigs: MakeRig, mode: str
) -> None:
    first = await rigs(mode)
    acme_room, cert_room = await opened(first, "cert")
    before = await first.message(acme_room, "TLP:GREEN before the stop")
    await first.settle()
    await first.stop()

    fake = first.fake
    fake.say(acme_room, "TLP:GREEN said while away", user=ALICE, team=ACME)
    fake.say(acme_room, "TLP:GREEN a reply in the thread", user=BOB, team=ACME, thread_ts=before)
    fake.say(acme_room, "TLP:GREEN and one more", user=ALICE, team=ACME)
    history = fake.expect("conversations.history")
    second = await rigs(mode)
    await caught_up(second, history)

    assert captured(second) == [
        "TLP:GREEN before the stop",
        "TLP:GREEN said while away",
        "TLP:GREEN a reply in the thread",
        "TLP:GREEN and one more",
    ]
    relayed = [m["text"].partition(": ")[2] for m in copies(second, cert_room)]
    assert relayed == captured(second)
    reply = copy_of(second, cert_room, "a reply in the thread")
    assert reply["thread_ts"] == copy_of(second, cert_room, "before the stop")["ts"]


async def test_what_was_said_while_the_socket_was_down_is_captured_and_relayed_once(
    rigs: MakeRig,
) -> None:
    rig = await rigs("socket", ping_interval=0.2)
    acme_room, cert_room = await opened(rig, "cert")
    before = await rig.message(acme_room, "TLP:GREEN before the drop")
    await rig.settle()

    fake = rig.fake
    await fake.socket.drop()
    fake.say(acme_room, "TLP:GREEN said while the socket was down", user=ALICE, team=ACME)
    fake.say(acme_room, "TLP:GREEN a reply in the thread", user=BOB, team=ACME, thread_ts=before)
    fake.say(acme_room, "TLP:GREEN and one more", user=ALICE, team=ACME)
    history = fake.expect("conversations.history")
    fake.socket.allow()
    await fake.socket.connected()
    await caught_up(rig, history)

    # reconnected; on a loaded machine a missed ping may reconnect once more, and each
    # reconnect catches up again: still captured and relayed once
    assert fake.socket.connections >= 2
    assert captured(rig) == [
        "TLP:GREEN before the drop",
        "TLP:GREEN said while the socket was down",
        "TLP:GREEN a reply in the thread",
        "TLP:GREEN and one more",
    ]
    relayed = [m["text"].partition(": ")[2] for m in copies(rig, cert_room)]
    assert relayed == captured(rig)

    # the next reconnect finds nothing new: nothing is handed on twice
    history = fake.expect("conversations.history")
    await fake.socket.disconnect()
    await caught_up(rig, history)
    assert len(captured(rig)) == 4
    assert len(copies(rig, cert_room)) == 4


async def test_a_message_fetched_and_later_delivered_live_too_is_kept_once(
    rigs: MakeRig,
) -> None:
    first = await rigs("http")
    acme_room, cert_room = await opened(first, "cert")
    await first.stop()
    ts = first.fake.say(acme_room, "TLP:GREEN said once", user=ALICE, team=ACME)

    history = first.fake.expect("conversations.history")
    second = await rigs("http")
    await caught_up(second, history)
    await second.message(acme_room, "TLP:GREEN said once", ts=ts)  # Slack's late retry
    await second.settle()

    assert captured(second) == ["TLP:GREEN said once"]
    assert len(copies(second, cert_room)) == 1


async def test_caught_up_messages_keep_their_order_with_replies_after_their_parent(
    rigs: MakeRig,
) -> None:
    first = await rigs("http")
    (room,) = await opened(first)
    await first.stop()
    fake = first.fake
    parent = fake.say(room, "a question", user=ALICE, team=ACME)
    fake.say(room, "first answer", user=BOB, team=ACME, thread_ts=parent)
    fake.say(room, "meanwhile in the channel", user=ALICE, team=ACME)
    fake.say(room, "second answer", user=BOB, team=ACME, thread_ts=parent)

    history = fake.expect("conversations.history")
    second = await rigs("http")
    await caught_up(second, history)

    assert captured(second) == [
        "a question",
        "first answer",
        "meanwhile in the channel",
        "second answer",
    ]
    replies = [c for c in fake.of("conversations.replies") if c.args.get("ts") == parent]
    assert len(replies) == 1, "the new thread is read once"


async def test_a_long_gap_is_read_page_by_page_through_a_rate_limit(rigs: MakeRig) -> None:
    first = await rigs("http")
    (room,) = await opened(first)
    await first.stop()
    fake = first.fake
    said = [fake.say(room, f"line {n:03d}", user=ALICE, team=ACME) for n in range(230)]
    fake.rate_limit("conversations.history", times=1, retry_after=0)

    history = fake.expect("conversations.history")
    second = await rigs("http")
    await caught_up(second, history)

    assert captured(second) == [f"line {n:03d}" for n in range(230)]
    pages = [c for c in fake.of("conversations.history") if c.args.get("channel") == room]
    assert len(pages) == 3, "the 429, then two pages of 200"
    assert pages[-1].args.get("cursor"), "the second page is asked for by its cursor"
    assert all(float(c.args["oldest"]) < float(said[0]) for c in pages)


async def test_it_looks_back_a_day_at_most_and_never_before_the_room_was_opened(
    rigs: MakeRig,
) -> None:
    first = await rigs("http")
    first.clock.advance(-timedelta(days=2))  # the incident was opened two days ago
    (room,) = await opened(first)
    await first.stop()
    fake = first.fake
    now = time.time()
    for text, hours_ago in (("before the room", 49), ("a day and more ago", 25), ("lately", 1)):
        fake.say(room, text, user=ALICE, team=ACME, ts=f"{now - hours_ago * 3600:.6f}")

    history = fake.expect("conversations.history")
    second = await rigs("http")
    await caught_up(second, history)

    assert captured(second) == ["lately"]


async def test_a_slack_rate_limit_longer_than_a_call_waits_is_tried_again_later(
    rigs: MakeRig,
) -> None:
    rig = await rigs("socket", ping_interval=0.2)
    (room,) = await opened(rig)
    fake = rig.fake
    await fake.socket.drop()
    fake.say(room, "said during the outage", user=ALICE, team=ACME)
    fake.rate_limit("conversations.history", times=5, retry_after=0)
    assert rig.adapter.catch_up is not None
    rig.adapter.catch_up.retry_s = (0.05, 0.05)
    history = fake.expect("conversations.history")
    fake.socket.allow()
    await caught_up(rig, history)

    assert captured(rig) == ["said during the outage"]


async def test_catching_up_holds_up_neither_start_nor_acks(rigs: MakeRig) -> None:
    first = await rigs("http")
    (room,) = await opened(first)
    await first.stop()
    first.fake.say(room, "said while away", user=ALICE, team=ACME)
    gate = first.fake.hold("conversations.history")
    try:
        second = await asyncio.wait_for(rigs("http", ready=False), 10)
        ack = await asyncio.wait_for(second.command("note while catching up", channel=room), 3)
        assert ack.status == 200 and not ack.body
    finally:
        gate.set()
    await second.settle()
    texts = [(e["kind"], e["text"]) for e in second.export()["timeline"]]
    assert ("note", "while catching up") in texts
    assert ("message", "said while away") in texts


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_live_message_during_catching_up_lands_after_the_missed_ones(
    rigs: MakeRig, mode: str
) -> None:
    first = await rigs(mode)
    acme_room, cert_room = await opened(first, "cert")
    await first.stop()
    fake = first.fake
    fake.say(acme_room, "TLP:GREEN missed one", user=ALICE, team=ACME)
    fake.say(acme_room, "TLP:GREEN missed two", user=BOB, team=ACME)
    gate = fake.hold("conversations.history")
    history = fake.expect("conversations.history")
    try:
        second = await rigs(mode, ready=False)
        await asyncio.wait_for(history, 10)  # the pass is fetching
        await second.message(acme_room, "TLP:GREEN said live meanwhile")
        await second.app.idle()
    finally:
        gate.set()
    await second.settle()

    expected = ["TLP:GREEN missed one", "TLP:GREEN missed two", "TLP:GREEN said live meanwhile"]
    assert captured(second) == expected
    assert [m["text"].partition(": ")[2] for m in copies(second, cert_room)] == expected


async def test_a_live_message_before_the_starting_point_is_read_skips_nothing(
    rigs: MakeRig,
) -> None:
    first = await rigs("http")
    (room,) = await opened(first)
    await first.message(room, "before the stop")
    await first.settle()
    await first.stop()
    first.fake.say(room, "missed while away", user=ALICE, team=ACME)
    reading = asyncio.Event()

    def slow_to_read(rig: SlackRig) -> None:
        stored = StoredOpenRooms(rig.app.services.store)

        async def open_rooms(platform: str) -> Sequence[OpenRoom]:
            await reading.wait()
            return await stored(platform)

        rig.adapter.bind_open_rooms(open_rooms)

    history = first.fake.expect("conversations.history")
    try:
        second = await rigs("http", ready=False, before_start=slow_to_read)
        await second.message(room, "said live at once")
        await second.app.idle()
    finally:
        reading.set()
    await caught_up(second, history)

    assert captured(second) == ["before the stop", "missed while away", "said live at once"]


async def test_a_live_message_after_a_socket_reconnect_lands_after_the_missed_ones(
    rigs: MakeRig,
) -> None:
    rig = await rigs("socket", ping_interval=0.2)
    (room,) = await opened(rig)
    await rig.message(room, "before the drop")
    await rig.settle()
    fake = rig.fake
    await fake.socket.drop()
    fake.say(room, "said while the socket was down", user=ALICE, team=ACME)
    gate = fake.hold("conversations.history")
    history = fake.expect("conversations.history")
    try:
        fake.socket.allow()
        await fake.socket.connected()
        await asyncio.wait_for(history, 10)
        await rig.message(room, "said live after the reconnect")
        await rig.app.idle()
    finally:
        gate.set()
    await rig.settle()

    assert captured(rig) == [
        "before the drop",
        "said while the socket was down",
        "said live after the reconnect",
    ]
