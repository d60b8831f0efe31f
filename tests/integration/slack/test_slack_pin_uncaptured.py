"""A 📌 on a message warroom never captured (said before it heard of it, or missed): the
message is fetched from Slack and its text goes on the timeline, once, as a highlight."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.slack.rig import ACME, ALICE, BOB, SlackRig


async def opened(rig: SlackRig) -> str:
    await rig.command('open "Pins" --tlp amber')
    await rig.settle()
    return rig.room_of()


def pinned(rig: SlackRig) -> list[dict[str, Any]]:
    return [e for e in rig.export()["timeline"] if e["kind"] == "pinned"]


async def test_a_pin_on_a_message_never_captured_puts_its_text_on_the_timeline_once(
    http_rig: SlackRig,
) -> None:
    rig = http_rig
    room = await opened(rig)
    ts = rig.fake.say(room, "TLP:GREEN the firewall log shows it", user=ALICE, team=ACME)

    for _ in range(2):  # Slack resends the same event
        ack = await rig.react(room, ts, event_id="Ev0PIN0UNCAPTURED")
        assert ack.status == 200
        await rig.settle()

    (entry,) = pinned(rig)
    assert entry["text"] == "📌 message of alice: TLP:GREEN the firewall log shows it"
    assert entry["tlp"] == "GREEN"
    assert entry["actor"]["user_id"] == BOB
    assert [e["kind"] for e in rig.export()["timeline"]].count("message") == 0


async def test_a_pin_on_a_thread_reply_never_captured_reads_it_from_the_thread(
    http_rig: SlackRig,
) -> None:
    rig = http_rig
    room = await opened(rig)
    parent = await rig.message(room, "who has the logs?")
    await rig.settle()
    reply = rig.fake.say(room, "I do, from 09:00", user=BOB, team=ACME, thread_ts=parent)

    await rig.react(room, reply, user=ALICE)
    await rig.settle()

    (entry,) = pinned(rig)
    assert entry["text"].endswith(": I do, from 09:00")
    assert rig.fake.of("conversations.replies")[-1].args["ts"] == reply


async def test_a_pin_on_a_captured_message_still_names_its_entry(http_rig: SlackRig) -> None:
    rig = http_rig
    room = await opened(rig)
    ts = await rig.message(room, "captured words")
    await rig.settle()

    await rig.react(room, ts)
    await rig.settle()

    (entry,) = pinned(rig)
    assert entry["text"].startswith("📌 #") and entry["text"].endswith("captured words")


async def test_when_slack_is_slow_the_pin_is_acked_in_time_and_names_the_message(
    http_rig: SlackRig,
) -> None:
    rig = http_rig
    room = await opened(rig)
    ts = rig.fake.say(room, "said unheard", user=ALICE, team=ACME)
    gate = rig.fake.hold("conversations.history")
    try:
        start = time.monotonic()
        ack = await rig.react(room, ts)
        took = time.monotonic() - start
    finally:
        gate.set()
    await rig.settle()

    assert ack.status == 200 and took < 2.0
    (entry,) = pinned(rig)
    assert entry["text"] == f"📌 message {ts}"
