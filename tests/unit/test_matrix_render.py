"""How the Matrix adapter renders the bot's messages (no network)."""

from __future__ import annotations

from warroom.adapters.matrix import render
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.messages import Field, Message

BOB = UserRef("matrix", "cert.example", "@bob:cert.example", "Bob")


def test_bot_messages_are_notices_with_plain_and_html_bodies() -> None:
    content = render.notice(Message(title="INC-1: leak", body="use `kubectl`", tlp="AMBER"))
    assert content["msgtype"] == "m.notice"
    assert content["body"] == "[TLP:AMBER]\nINC-1: leak\nuse `kubectl`"
    assert content["format"] == "org.matrix.custom.html"
    assert "<strong>INC-1: leak</strong>" in content["formatted_body"]
    assert "<code>kubectl</code>" in content["formatted_body"]


def test_user_text_cannot_inject_markup() -> None:
    evil = '<a href="https://evil">x</a><script>alert(1)</script>'
    content = render.notice(Message(body=evil, fields=(Field("<b>", evil),)))
    assert "<script>" not in content["formatted_body"]
    assert "<a href" not in content["formatted_body"]
    assert "&lt;script&gt;" in content["formatted_body"]


def test_user_text_cannot_notify_the_whole_room() -> None:
    content = render.notice(Message(title="@room", body="hey @ROOM, look"))
    assert "@room" not in content["body"].lower()
    assert "@room" not in content["formatted_body"].lower()
    assert content["m.mentions"] == {"user_ids": []}
    assert "room" not in content["m.mentions"]


def test_mentions_notify_the_people_named_and_show_as_pills() -> None:
    content = render.notice(Message(body="Bob is now deputy", mentions=(BOB,)))
    assert content["m.mentions"] == {"user_ids": ["@bob:cert.example"]}
    assert (
        '<a href="https://matrix.to/#/@bob:cert.example">Bob</a> is now deputy'
        in (content["formatted_body"])
    )


def test_an_edit_replaces_the_card_without_notifying_anyone() -> None:
    content = render.replacement("$card", Message(title="INC-1", mentions=(BOB,)))
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$card"}
    assert content["m.new_content"]["msgtype"] == "m.notice"
    assert content["m.mentions"] == {}


def test_a_private_notice_mentions_only_its_addressee() -> None:
    content = render.private_notice("@al:hs", "Al", Message(body="⚠ bad flag", mentions=(BOB,)))
    assert content["m.mentions"] == {"user_ids": ["@al:hs"]}
    assert content["body"].startswith("Al: ⚠ bad flag")
