"""End to end over both connection modes: open, capture, pin, roles, resolve, close."""

from __future__ import annotations

import re

import pytest

from tests.integration.slack.rig import ALICE, BOB, SlackRig, payload
from warroom.bot.operations.export import ExportError


async def test_open_creates_a_private_channel_with_topic_and_pinned_card(rig: SlackRig) -> None:
    ack = await rig.command('open "Customer DB credentials leaked" --sev 1')
    assert ack.status == 200
    await rig.settle()

    channel = rig.fake.channel_named("inc-1-customer-db-credentials-leaked")
    assert channel.is_private
    assert ALICE in channel.members
    assert channel.topic.startswith("SEV1 · investigating · commander: alice")
    assert len(channel.pins) == 1
    card = channel.messages[channel.pins[0]]
    assert card["blocks"][1] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "INC-1: Customer DB credentials leaked"},
    }
    answer = rig.fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert "Opened INC-1" in answer["text"]
    assert rig.room_of() == channel.id


async def test_a_whole_incident_from_open_to_archived_channel(rig: SlackRig) -> None:
    await rig.command('open "Customer DB credentials leaked" --sev 2')
    await rig.settle()
    room = rig.room_of()
    channel = rig.fake.channels[room]
    card_ts = channel.pins[0]

    await rig.command("note rotated the leaked key", channel=room)
    await rig.command(f"role scribe <@{BOB}|bob>", channel=room)
    await rig.command('update "leak stopped at the proxy" --state contained', channel=room)
    await rig.settle()
    assert BOB in channel.members, "an assigned person is invited"
    assert channel.topic.startswith("SEV2 · contained · commander: alice")
    card = channel.messages[card_ts]
    card_text = str(card["blocks"])
    assert "Scribe" in card_text and "bob" in card_text and "contained" in card_text
    assert rig.fake.of("chat.update"), "the pinned card is edited, not re-posted"
    assert len(channel.pins) == 1

    said = await rig.message(room, "attacker IP is 203.0.113.7", user=BOB)
    await rig.settle()
    await rig.react(room, said, reaction="pushpin")
    await rig.settle()

    kinds = [(e["kind"], e["text"]) for e in rig.export()["timeline"]]
    assert ("note", "rotated the leaked key") in kinds
    assert ("message", "attacker IP is 203.0.113.7") in kinds
    pinned = [t for k, t in kinds if k == "pinned"]
    assert len(pinned) == 1 and re.fullmatch(
        r"📌 #\d+ bob: attacker IP is 203\.0\.113\.7", pinned[0]
    )
    assert ("update", "leak stopped at the proxy") in kinds

    await rig.command('resolve "key rotated, proxy patched"', channel=room)
    await rig.command("close", channel=room)
    await rig.settle()
    assert channel.archived
    assert rig.export()["state"] == "closed"
    posted = [c.args["channel"] for c in rig.fake.of("chat.postMessage")]
    assert posted.count(room) >= 4  # card, note, role, update, resolution...


async def test_the_open_modal_opens_and_its_submission_opens_the_incident(rig: SlackRig) -> None:
    ack = await rig.command("open")
    assert ack.status == 200
    await rig.settle()
    (view,) = rig.fake.views
    assert view["callback_id"] == "warroom_open"
    block_ids = [b["block_id"] for b in view["blocks"]]
    assert block_ids == ["title", "sev", "tlp", "orgs", "playbook", "exercise"]
    assert rig.fake.of("views.open")[0].args["trigger_id"]

    submission = payload("view_submission")
    submission["view"]["private_metadata"] = view["private_metadata"]
    ack = await rig.interaction(submission)
    assert ack.status == 200
    assert not ack.body or "errors" not in ack.body
    await rig.settle()
    data = rig.export()
    assert (data["title"], data["severity"], data["tlp"]) == (
        "Customer DB credentials leaked",
        1,
        "AMBER",
    )
    assert rig.fake.channel_named("inc-1-customer-db-credentials-leaked").pins


async def test_an_invalid_modal_submission_is_answered_in_the_modal(rig: SlackRig) -> None:
    submission = payload("view_submission")
    submission["view"]["state"]["values"]["title"]["title"]["value"] = "   "
    submission["view"]["state"]["values"]["orgs"]["orgs"]["selected_options"] = [
        {"text": {"type": "plain_text", "text": "Evil"}, "value": "evil"}
    ]
    ack = await rig.interaction(submission)
    await rig.settle()
    assert ack.body["response_action"] == "errors"
    assert set(ack.body["errors"]) == {"title", "orgs"}
    assert not rig.fake.of("conversations.create")
    with pytest.raises(ExportError):
        rig.export()


async def test_typographic_quotes_group_words_like_straight_ones(rig: SlackRig) -> None:
    await rig.command("open “Bob’s laptop is compromised” --sev 2")
    await rig.settle()
    assert rig.export()["title"] == "Bob’s laptop is compromised"
    assert rig.fake.channel_named("inc-1-bobs-laptop-is-compromised").pins
