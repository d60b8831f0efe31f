"""What goes wrong with Slack, and what warroom does about it."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import ACME, BOB, CERT, SlackRig, payload, rig_config, rig_env
from warroom.adapters.slack.inbound import NOT_SET_UP


def texts_in(rig: SlackRig, channel: str) -> list[str]:
    return [str(m["text"]) for m in rig.fake.channels[channel].messages.values()]


async def opened(rig: SlackRig, title: str = "DB leak") -> str:
    await rig.command(f'open "{title}"')
    await rig.settle()
    return rig.room_of()


async def test_a_429_storm_is_waited_out_then_left_to_the_outbox(rig: SlackRig) -> None:
    room = await opened(rig)
    rig.fake.rate_limit("chat.postMessage", times=2, retry_after=0)
    await rig.command("note first", channel=room)
    await rig.settle()
    assert any("first" in t for t in texts_in(rig, room)), "two 429s are retried in place"

    rig.fake.rate_limit("chat.postMessage", times=10, retry_after=0)
    await rig.command("note second", channel=room)
    await rig.settle()
    assert not any("second" in t for t in texts_in(rig, room))
    await rig.retry_later()
    await rig.retry_later()
    assert [t for t in texts_in(rig, room) if "second" in t] != []
    assert len([t for t in texts_in(rig, room) if "second" in t]) == 1


async def test_a_long_retry_after_is_left_to_the_outbox(rig: SlackRig) -> None:
    room = await opened(rig)
    rig.fake.rate_limit("chat.postMessage", times=1, retry_after=120)
    await rig.command("note later", channel=room)
    await rig.settle()
    await rig.retry_later()
    assert len([t for t in texts_in(rig, room) if "later" in t]) == 1


async def test_while_slack_is_down_nothing_is_lost_or_sent_twice(http_rig: SlackRig) -> None:
    rig = http_rig
    room = await opened(rig)
    await rig.fake.go_down()
    assert (await rig.command("note while slack was down", channel=room)).status == 200
    assert (await rig.command('open "Second incident" --sev 2')).status == 200
    await rig.settle()
    await rig.retry_later()

    await rig.fake.come_back()
    await rig.retry_later()
    await rig.retry_later()
    assert len([t for t in texts_in(rig, room) if "while slack was down" in t]) == 1
    second = rig.fake.channel_named("inc-2-second-incident")
    assert len(second.pins) == 1
    assert second.topic.startswith("SEV2")
    assert len([c for c in rig.fake.channels.values() if c.name.startswith("inc-2")]) == 1
    assert rig.export("INC-2")["rooms"][0]["room_id"] == second.id


async def test_a_redelivered_event_is_handled_once(rig: SlackRig) -> None:
    room = await opened(rig)
    said = await rig.message(room, "one message", user=BOB)
    event = {
        "type": "message",
        "channel": room,
        "user": BOB,
        "text": "one message",
        "ts": said,
        "team": ACME,
    }
    assert (await rig.event(event, event_id="Ev0DUP", retry=1)).status == 200
    reaction = payload("event_reaction_added")["event"]
    reaction["item"].update(channel=room, ts=said)
    await rig.event(reaction, event_id="Ev0PIN")
    await rig.event(reaction, event_id="Ev0PIN", retry=1)
    await rig.event(reaction, event_id="Ev0PIN", retry=2)
    await rig.settle()
    timeline = rig.export()["timeline"]
    assert [e["kind"] for e in timeline].count("message") == 1
    assert [e["kind"] for e in timeline].count("pinned") == 1


async def test_a_bad_or_stale_signature_gets_401_and_changes_nothing(http_rig: SlackRig) -> None:
    rig = http_rig
    body = payload("slash_command")
    body.update(text='open "forged"', response_url=rig.fake.response_url())
    form = urllib.parse.urlencode(body)
    kind = "application/x-www-form-urlencoded"
    forged = await rig.post(form, kind, secret="not-the-secret")
    stale = await rig.post(form, kind, timestamp=str(int(time.time()) - 600))
    await rig.settle()
    assert (forged.status, stale.status) == (401, 401)
    assert not rig.fake.of("conversations.create")
    assert rig.fake.responses == []
    assert rig.app.store.transaction_sync(lambda uow: uow.incidents.by_key("INC-1")) is None


def mrkdwn_texts(call_args: dict[str, Any]) -> list[str]:
    """The fallback text and every mrkdwn text in the blocks: where Slack reads markup."""
    found = [str(call_args.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call_args.get("blocks", []))
    return found


async def test_user_text_cannot_inject_mentions(rig: SlackRig) -> None:
    room = await opened(rig, "<!here> leak")
    await rig.command("note <!channel> look &amp; <@U0BOB> <https://evil.example|x>", channel=room)
    await rig.command("timeline", channel=room)
    await rig.settle()
    calls = [c.args for c in rig.fake.of("chat.postMessage") if c.args["channel"] == room]
    sent = [t for args in calls + rig.fake.responses for t in mrkdwn_texts(args)]
    assert not [t for t in sent if "<!" in t or "<@" in t or "<http" in t]
    assert any("&lt;!channel&gt; look &amp; &lt;@U0BOB&gt;" in t for t in sent)
    assert any("&lt;!here&gt; leak" in t for t in sent)
    assert "<!here>" not in rig.fake.channels[room].topic
    headers = [b for args in calls for b in args["blocks"] if b["type"] == "header"]
    assert headers and all(h["text"]["type"] == "plain_text" for h in headers)


async def test_the_ack_does_not_wait_for_the_work(rig: SlackRig) -> None:
    release = rig.fake.hold("conversations.create")
    ack = await rig.command('open "Slow Slack"')
    assert ack.status == 200
    assert rig.fake.channels_named("inc-1-slow-slack") == []
    release.set()
    await rig.settle()
    assert rig.fake.channel_named("inc-1-slow-slack").pins


async def test_mistakes_are_shown_to_the_caller_only(rig: SlackRig) -> None:
    await rig.command("frobnicate now")
    await rig.command("note outside a war room")
    await rig.settle()
    assert [r["response_type"] for r in rig.fake.responses] == ["ephemeral", "ephemeral"]
    assert "unknown command 'frobnicate'" in rig.fake.responses[0]["text"]
    assert "not a war room" in rig.fake.responses[1]["text"]
    assert not rig.fake.of("chat.postMessage")


async def test_each_workspace_is_served_with_its_own_token(rig: SlackRig) -> None:
    rig.fake.add_channel(CERT, "soc", members=["U0CAROL"], channel_id="C0CERTSOC")
    await rig.command('open "CERT side"', team=CERT, user="U0CAROL", channel="C0CERTSOC")
    await rig.settle()
    (create,) = rig.fake.of("conversations.create")
    assert create.team == CERT
    channel = rig.fake.channel_named("inc-1-cert-side")
    assert channel.team == CERT and "U0CAROL" in channel.members
    assert rig.export()["orgs"] == ["cert"]


async def test_a_workspace_not_in_the_config_is_refused(rig: SlackRig) -> None:
    rig.fake.add_team("T0EVIL")
    await rig.command('open "from elsewhere"', team="T0EVIL", user="U0EVE")
    await rig.settle()
    assert not rig.fake.of("conversations.create")
    assert rig.app.store.transaction_sync(lambda uow: uow.incidents.by_key("INC-1")) is None
    assert [r["text"] for r in rig.fake.responses] == [NOT_SET_UP]


async def test_a_room_half_set_up_when_slack_failed_is_finished_not_duplicated(
    rig: SlackRig,
) -> None:
    rig.fake.fail("conversations.setTopic", "internal_error")
    await rig.command('open "Flaky Slack"')
    await rig.settle()
    assert rig.export()["rooms"] == []
    await rig.retry_later()
    channel = rig.fake.channel_named("inc-1-flaky-slack")
    assert rig.room_of() == channel.id
    assert channel.topic.startswith("SEV3") and len(channel.pins) == 1


async def test_when_the_form_cannot_open_the_caller_is_told_how_to_type_it(
    rig: SlackRig,
) -> None:
    rig.fake.fail("views.open", "expired_trigger_id")
    await rig.command("open")
    await rig.settle()
    (answer,) = rig.fake.responses
    assert answer["response_type"] == "ephemeral"
    assert "could not open the incident form" in answer["text"]


async def test_a_taken_channel_name_gets_a_suffix(rig: SlackRig) -> None:
    rig.fake.add_channel(ACME, "inc-1-db-leak", private=True)
    room = await opened(rig, "DB leak")
    assert rig.fake.channels[room].name == "inc-1-db-leak-2"


async def test_the_bot_ignores_its_own_messages(rig: SlackRig) -> None:
    room = await opened(rig)
    bot_post = {
        "type": "message",
        "subtype": "bot_message",
        "channel": room,
        "bot_id": "BT0ACME",
        "text": "card",
        "ts": "1700000000.000100",
    }
    own = {"type": "message", "channel": room, "user": "UBT0ACME", "text": "me", "ts": "1.2"}
    await rig.event(bot_post)
    await rig.event(own)
    await rig.settle()
    assert "message" not in [e["kind"] for e in rig.export()["timeline"]]


async def test_a_hanging_slack_delays_neither_start_up_nor_the_ack(
    fake_slack: FakeSlack, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in rig_env(fake_slack).items():
        monkeypatch.setenv(name, value)
    release = fake_slack.hold("auth.test")
    rig = SlackRig(fake_slack, rig_config(sqlite_url, fake_slack, "http"), "http")
    await rig.start(ready=False)
    try:
        assert (await rig.command('open "Slack is slow"')).status == 200
        assert rig.adapter.bots == {}, "the bot's identity is still being looked up"
        release.set()
        await rig.settle()
        assert rig.fake.channel_named("inc-1-slack-is-slow").pins
        assert set(rig.adapter.bots) == {ACME, CERT}
    finally:
        release.set()
        await rig.stop()
