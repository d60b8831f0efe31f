"""Matrix events to neutral events, invites and power levels (no network)."""

from __future__ import annotations

from typing import Any

import pytest
from nio import Event, MatrixRoom

from warroom.adapters.matrix import powers
from warroom.adapters.matrix.inbound import invite_allowed, server_of, translate
from warroom.adapters.matrix.sync import own_join_at
from warroom.bot.domain.events import (
    CommandReceived,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
    RoomRef,
)

ROOM = RoomRef("matrix", "cert.example", "!abc")  # no server in the room id (room v12)
BOT = "@warroom:cert.example"


def event(content: dict[str, Any], kind: str = "m.room.message", **extra: Any) -> Event:
    source = {
        "type": kind,
        "event_id": f"$e{abs(hash(str(content)))}",
        "sender": "@alice:cert.example",
        "origin_server_ts": 1,
        "content": content,
        **extra,
    }
    return Event.parse_event(source)


def inbound(ev: Event) -> Any:
    return translate(ev, MatrixRoom("!abc", BOT), ROOM, org_of=lambda u: "cert")


def text(body: str, **content: Any) -> Event:
    return event({"msgtype": "m.text", "body": body, **content})


@pytest.mark.parametrize("line", ["!incident note hi there", "!inc note hi there"])
def test_commands_reach_the_core_without_the_command_word(line: str) -> None:
    got = inbound(text(line))
    assert isinstance(got, CommandReceived)
    assert got.text == "note hi there"
    assert got.room == ROOM
    assert got.actor.user.workspace == "cert.example"
    assert got.actor.org == "cert"


def test_other_messages_are_captured() -> None:
    got = inbound(text("!incidental finding"))
    assert isinstance(got, MessagePosted)
    assert got.text == "!incidental finding"


def test_a_mention_pill_becomes_the_user_id() -> None:
    pill = '!inc role deputy <a href="https://matrix.to/#/@bob:cert.example">Bob</a>'
    got = inbound(
        text("!inc role deputy Bob", format="org.matrix.custom.html", formatted_body=pill)
    )
    assert isinstance(got, CommandReceived)
    assert got.text == "role deputy @bob:cert.example"


def test_a_pin_reaction_targets_the_message() -> None:
    relates = {"rel_type": "m.annotation", "event_id": "$said", "key": "📌\ufe0f"}
    got = inbound(event({"m.relates_to": relates}, "m.reaction"))
    assert isinstance(got, ReactionAdded)
    assert got.emoji == "📌"
    assert got.target.message_id == "$said"


def test_a_redaction_targets_the_removed_message() -> None:
    got = inbound(event({}, "m.room.redaction", redacts="$gone"))
    assert isinstance(got, MessageDeleted)
    assert got.target.message_id == "$gone"


def test_an_edit_is_an_edit_of_its_target_and_never_runs_a_command() -> None:
    new = {"msgtype": "m.text", "body": "!inc close"}
    relates = {"rel_type": "m.replace", "event_id": "$old"}
    got = inbound(text("* !inc close", **{"m.new_content": new, "m.relates_to": relates}))
    assert isinstance(got, MessageEdited)
    assert got.text == "!inc close" and got.target.message_id == "$old"


def test_a_reply_names_its_parent_and_drops_the_quoted_fallback() -> None:
    relates = {"m.in_reply_to": {"event_id": "$parent"}}
    got = inbound(
        text("> <@bob:cert.example> the original\n\nmy answer", **{"m.relates_to": relates})
    )
    assert isinstance(got, MessagePosted)
    assert got.reply_to == "$parent" and got.text == "my answer"


def test_invites_are_accepted_only_from_allowed_servers() -> None:
    assert invite_allowed("@carol:CERT.example", ("cert.example",))
    assert not invite_allowed("@mallory:evil.example", ("cert.example",))
    assert not invite_allowed("@mallory:evil.example:cert.example", ("cert.example",))
    assert server_of("@alice:matrix.org:8448") == "matrix.org:8448"


def test_what_came_before_the_bot_joined_is_skipped() -> None:
    before = text("old news")
    join = event({"membership": "join"}, "m.room.member", state_key=BOT, sender=BOT, unsigned={})
    after = text("new")
    assert own_join_at([before, join, after], BOT) == 1
    assert own_join_at([before, after], BOT) is None


def test_a_handover_moves_the_power_level() -> None:
    current = {"users": {"@old:hs": 50}, "events_default": 0}
    levels = powers.with_leads(current, BOT, ["@new:hs"])
    assert levels["users"] == {"@new:hs": 50}
    legacy = powers.with_leads({"users": {BOT: 100}}, BOT, ["@new:hs"])
    assert legacy["users"] == {"@new:hs": 50, BOT: 100}


def test_a_closed_room_is_read_only_but_for_the_bot() -> None:
    levels = powers.read_only({"users": {"@lead:hs": 50}, "events_default": 0})
    assert levels["events_default"] == 100
    assert levels["state_default"] == 100
    assert levels["users"] == {"@lead:hs": 50}


def test_people_of_no_configured_organisation_are_not_heard() -> None:
    for ev in (text("!incident note hi"), text("hello")):
        assert translate(ev, MatrixRoom("!abc", BOT), ROOM, org_of=lambda u: None) is None
