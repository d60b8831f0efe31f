"""Neutral messages as Matrix event content: m.notice with plain `body` and sanitised HTML.

The HTML is built from pieces: user text is escaped, a person's pill is placed between pieces
of text (never by replacing inside markup already made), and the whole is passed through
nh3 (ammonia) allowing only the few tags and the one attribute we make. `@room` is defused in
both bodies and `m.mentions` lists only the intended people, so nothing the bot repeats can
notify a whole room; control characters are made visible first.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

import nh3

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.text import visible_text

ROOM_PING = re.compile(r"@(room)\b", re.IGNORECASE)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
WORD_JOINER = "\u2060"
TAGS = {"p", "strong", "em", "br", "ul", "li", "code", "a"}
MATRIX_TO = "https://matrix.to/#/"


def defuse(text: str) -> str:
    """`@room` with an invisible joiner: it reads the same but no push rule matches it."""
    return ROOM_PING.sub(lambda m: f"@{WORD_JOINER}{m.group(1)}", visible_text(text))


def matrix_ids(message: Message) -> list[str]:
    return sorted({u.user_id for u in message.mentions if u.platform == "matrix"})


def pill(user_id: str, name: str) -> str:
    href = html.escape(MATRIX_TO + user_id, quote=True)
    return f'<a href="{href}">{html.escape(defuse(name))}</a>'


@dataclass(frozen=True)
class _Text:
    """User text, escaped when rendered; `code` renders it as a code span."""

    text: str
    code: bool = False


_Piece = _Text | UserRef | str  # text, a pill, or markup we wrote


def _inline(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    last = 0
    text = defuse(text)
    for match in CODE_SPAN.finditer(text):
        pieces += [_Text(text[last : match.start()]), _Text(match.group(1), code=True)]
        last = match.end()
    return [*pieces, _Text(text[last:])]


def _pieces(message: Message) -> list[_Piece]:
    parts: list[_Piece] = []
    if message.tlp:
        parts += ["<p><strong>", _Text(f"[TLP:{message.tlp}]"), "</strong></p>"]
    if message.title:
        parts += ["<p><strong>", *_inline(message.title), "</strong></p>"]
    if message.body:
        parts.append("<p>")
        for n, line in enumerate(message.body.splitlines()):
            parts += (["<br/>"] if n else []) + _inline(line)
        parts.append("</p>")
    if message.fields:
        parts.append("<ul>")
        for f in message.fields:
            parts += ["<li><strong>", *_inline(f.label), "</strong>: ", *_inline(f.value)]
            parts.append("</li>")
        parts.append("</ul>")
    if message.footer:
        parts += ["<p><em>", *_inline(message.footer), "</em></p>"]
    return parts


def _place(parts: list[_Piece], user: UserRef) -> list[_Piece]:
    """A pill for `user` where their name first appears in plain text, else in front."""
    name = defuse(user.name)
    for i, part in enumerate(parts):
        if name and isinstance(part, _Text) and not part.code and name in part.text:
            before, _, after = part.text.partition(name)
            return [*parts[:i], _Text(before), user, _Text(after), *parts[i + 1 :]]
    return [user, ": ", *parts]


def _render(part: _Piece) -> str:
    if isinstance(part, UserRef):
        return pill(part.user_id, part.name)
    if isinstance(part, _Text):
        escaped = html.escape(part.text, quote=True)
        return f"<code>{escaped}</code>" if part.code else escaped
    return part


def sanitised(markup: str) -> str:
    """Only our tags, and on links only an https href: whatever slipped through, goes."""
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https"},
        link_rel=None,
        strip_comments=True,
    )


def to_html(message: Message) -> str:
    parts = _pieces(message)
    for user in message.mentions:
        if user.platform == "matrix":
            parts = _place(parts, user)
    return sanitised("".join(_render(part) for part in parts))


def notice(message: Message) -> dict[str, Any]:
    """The content of an m.notice saying `message` (a reply, if it answers one)."""
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": defuse(message.plain_text()),
        "format": "org.matrix.custom.html",
        "formatted_body": to_html(message),
        "m.mentions": {"user_ids": matrix_ids(message)},
    }
    if message.reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": message.reply_to}}
    if message.attachment is not None:  # read back from the room's events by tools
        content[f"org.warroom.{message.attachment.kind}"] = json.loads(message.attachment.data)
    return content


def replacement(event_id: str, message: Message) -> dict[str, Any]:
    """An m.replace edit of `event_id`; it mentions nobody anew, so it notifies nobody."""
    new = notice(message)
    return {
        "msgtype": "m.notice",
        "body": f"* {new['body']}",
        "format": "org.matrix.custom.html",
        "formatted_body": f"* {new['formatted_body']}",
        "m.new_content": new,
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        "m.mentions": {},
    }


def private_notice(user_id: str, name: str, message: Message) -> dict[str, Any]:
    """A notice addressed to one person: it mentions (and so notifies) only them."""
    content = notice(message)
    content["body"] = f"{defuse(name)}: {content['body']}"
    content["formatted_body"] = sanitised(f"{pill(user_id, name)}: {content['formatted_body']}")
    content["m.mentions"] = {"user_ids": [user_id]}
    return content
