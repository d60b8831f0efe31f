"""The adapter's outbound calls against the fake Slack: how each Slack error is met."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import ACME, ALICE, BOB, rig_config, rig_env
from warroom.adapters.slack.adapter import SlackAdapter
from warroom.adapters.slack.factory import build_slack_adapter
from warroom.bot.domain.events import Inbound, MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import AdapterError, RoomSpec

HELLO = Message(title="hello", body="world")


@pytest.fixture
async def adapter(
    fake_slack: FakeSlack, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackAdapter]:
    for name, value in rig_env(fake_slack).items():
        monkeypatch.setenv(name, value)
    slack = build_slack_adapter(rig_config(sqlite_url, fake_slack, "http"))

    async def sink(event: Inbound) -> None:
        pass

    await slack.start(sink)
    yield slack
    await slack.stop()


def room(channel: str) -> RoomRef:
    return RoomRef("slack", ACME, channel)


async def test_posting_where_the_bot_is_not_joins_a_public_channel_first(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    ref = await adapter.post(room("C0GENERAL"), HELLO)
    assert [c.method for c in fake_slack.calls[-3:]] == [
        "chat.postMessage",
        "conversations.join",
        "chat.postMessage",
    ]
    assert ref.message_id in fake_slack.channels["C0GENERAL"].messages


async def test_a_private_channel_the_bot_is_not_in_is_a_final_error(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    secret = fake_slack.add_channel(ACME, "secret", private=True, members=[ALICE])
    with pytest.raises(AdapterError) as raised:
        await adapter.post(room(secret.id), HELLO)
    assert not raised.value.retryable


async def test_an_unknown_channel_is_final_and_a_slack_fault_is_retryable(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    with pytest.raises(AdapterError, match="channel_not_found") as gone:
        await adapter.archive(room("C0NOPE"))
    assert not gone.value.retryable
    fake_slack.fail("conversations.create", "internal_error")
    with pytest.raises(AdapterError, match="internal_error") as fault:
        await adapter.create_room(RoomSpec(name="inc-9-x", topic="", org="acme", workspace=ACME))
    assert fault.value.retryable


async def test_slack_unreachable_is_retryable(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    await fake_slack.go_down()
    with pytest.raises(AdapterError) as down:
        await adapter.post(room("C0GENERAL"), HELLO)
    assert down.value.retryable
    await fake_slack.come_back()
    await adapter.post(room("C0GENERAL"), HELLO)


async def test_a_private_answer_falls_back_to_ephemeral_then_to_a_direct_message(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    war_room = fake_slack.add_channel(ACME, "inc-1-x", private=True, members=["UBT0ACME", BOB])
    bob = UserRef("slack", ACME, BOB, "bob")
    alice = UserRef("slack", ACME, ALICE, "alice")
    await adapter.notify(bob, room(war_room.id), HELLO)
    assert fake_slack.of("chat.postEphemeral")[-1].args["user"] == BOB
    await adapter.notify(alice, room(war_room.id), HELLO)
    assert fake_slack.of("chat.postMessage")[-1].args["channel"] == ALICE


async def test_pinning_twice_and_archiving_twice_are_not_errors(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    spec = RoomSpec(name="inc-7-twice", topic="SEV3", org="acme", workspace=ACME)
    war_room = await adapter.create_room(spec)
    ref = await adapter.post(war_room, HELLO)
    await adapter.pin(war_room, ref)
    await adapter.pin(war_room, MessageRef(war_room, ref.message_id))
    await adapter.archive(war_room)
    await adapter.archive(war_room)
    channel = fake_slack.channels[war_room.room_id]
    assert channel.archived and channel.pins == [ref.message_id]
