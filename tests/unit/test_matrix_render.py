"""How the Matrix adapter renders the bot's messages (no network)."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_display_name_of_at_room_leaves_no_live_room_ping() -> None:
    room = UserRef("matrix", "hs", "@mallory:hs", "@room")
    content = render.notice(Message(body="@room is now scribe", mentions=(room,)))
    assert "@room" not in content["formatted_body"].lower()
    assert "@room" not in content["body"].lower()
    private = render.private_notice("@mallory:hs", "@room", Message(body="hi"))
    assert "@room" not in private["formatted_body"].lower()


def test_a_name_inside_the_first_pills_link_is_not_replaced_in_its_href() -> None:
    first = UserRef("matrix", "hs", "@bob:cert.example", "Bob")
    second = UserRef("matrix", "hs", "@eve:hs", "cert.example")
    content = render.notice(Message(body="Bob and cert.example", mentions=(first, second)))
    links = hrefs(content["formatted_body"])
    assert links == ["https://matrix.to/#/@bob:cert.example", "https://matrix.to/#/@eve:hs"]


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def tags(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def hrefs(markup: str) -> list[str | None]:
    return [dict(attrs).get("href") for tag, attrs in tags(markup) if tag == "a"]


NAMES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(['"', "'", "<", ">", "&", "@room", "href", "a", "matrix.to", "hs", '" x="']),
)
TEXTS = st.lists(st.one_of(st.text(max_size=12), NAMES), max_size=5).map(" ".join)


@given(names=st.lists(NAMES, min_size=1, max_size=3), body=TEXTS, title=TEXTS)
@settings(max_examples=300, deadline=None)
def test_no_name_or_text_breaks_out_of_an_attribute(
    names: list[str], body: str, title: str
) -> None:
    people = tuple(UserRef("matrix", "hs", f"@u{i}:hs", name) for i, name in enumerate(names))
    content = render.notice(Message(body=body, title=title, mentions=people))
    found = tags(content["formatted_body"])
    intended = {f"https://matrix.to/#/{p.user_id}" for p in people}
    for tag, attrs in found:
        assert tag in render.TAGS
        if tag == "a":
            assert [name for name, _ in attrs] == ["href"]
            assert dict(attrs)["href"] in intended
        else:
            assert attrs == []
    assert len([t for t, _ in found if t == "a"]) == len(people)
    assert "@room" not in content["formatted_body"].lower()
