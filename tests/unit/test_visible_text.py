"""Control characters and bidi overrides never reach a reader: every renderer shows them."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.adapters.console import ConsoleAdapter
from warroom.adapters.matrix import render as matrix_render
from warroom.adapters.sink import SinkAdapter
from warroom.adapters.slack import render as slack_render
from warroom.bot.domain.events import RoomRef, UserRef
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.text import visible_text

HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NASTY = st.sampled_from(["\x1b[2J", "\x1b]0;pwned\x07", "\x00", "\u202e", "\u2066", "\x9b", "\r"])
TEXT = st.lists(st.one_of(st.text(max_size=20), NASTY), max_size=6).map("".join)
ROOM = RoomRef("console", "console", "war-room")


def strings(value: Any) -> list[str]:
    """Every string inside a rendered value (Block Kit, event content)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


messages = st.builds(
    Message,
    body=TEXT,
    title=TEXT,
    fields=st.lists(st.builds(Field, label=TEXT, value=TEXT), max_size=2).map(tuple),
    footer=TEXT,
    mentions=st.lists(
        st.builds(UserRef, st.just("matrix"), st.just("hs"), st.just("@a:hs"), TEXT),
        max_size=2,
    ).map(tuple),
)


def test_control_characters_become_visible_stand_ins() -> None:
    assert visible_text("a\x1b[2J\x07\x00b\u202ec\n\td") == "a␛[2J␇␀b[U+202E]c\n\td"


@given(messages)
@settings(max_examples=150, deadline=None)
def test_slack_shows_no_control_character(message: Message) -> None:
    text, blocks = slack_render.render(message)
    assert not any(HIDDEN.search(s) for s in [text, *strings(blocks)])


@given(messages)
@settings(max_examples=150, deadline=None)
def test_matrix_shows_no_control_character(message: Message) -> None:
    content = matrix_render.notice(message)
    assert not any(HIDDEN.search(s) for s in strings(content))
    private = matrix_render.private_notice("@a:hs", message.title, message)
    assert not any(HIDDEN.search(s) for s in strings(private))


@given(messages, TEXT)
@settings(max_examples=100, deadline=None)
async def test_the_console_prints_no_control_character(message: Message, topic: str) -> None:
    out = StringIO()
    console = ConsoleAdapter(user="alice", org="acme", stdin=StringIO(), stdout=out)
    await console.post(ROOM, message)
    await console.notify(UserRef("console", "acme", "alice", topic), ROOM, message)
    await console.set_topic(ROOM, topic)
    assert not HIDDEN.search(out.getvalue().replace("\n", "").replace("\t", ""))


@given(messages, TEXT)
@settings(max_examples=50, deadline=None)
async def test_the_console_sink_writes_no_control_character(
    tmp_path_factory: Any, message: Message, topic: str
) -> None:
    path: Path = tmp_path_factory.mktemp("sink") / "sink.jsonl"
    sink = SinkAdapter(str(path))
    await sink.post(ROOM, message)
    await sink.set_topic(ROOM, topic)
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert not any(HIDDEN.search(s.replace("\n", "")) for s in strings(record))


async def test_the_console_sink_keeps_a_line_separator_inside_its_record(tmp_path: Path) -> None:
    path = tmp_path / "sink.jsonl"
    await SinkAdapter(str(path)).set_topic(ROOM, "one\u2028two\u2029three")
    (line,) = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["topic"] == "one\u2028two\u2029three"
