"""Neutral messages as Matrix event content: m.notice with plain `body` and escaped HTML.

Every piece of text is HTML-escaped before markup is added, so user text can never inject
markup; `@room` is defused in both bodies and `m.mentions` lists only the intended people,
so nothing the bot repeats can notify a whole room.
"""

from __future__ import annotations

import html
import re
from typing import Any

from warroom.bot.domain.messages import Message

ROOM_PING = re.compile(r"@(room)\b", re.IGNORECASE)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
WORD_JOINER = "\u2060"


def defuse(text: str) -> str:
    """`@room` with an invisible joiner: it reads the same but no push rule matches it."""
    return ROOM_PING.sub(lambda m: f"@{WORD_JOINER}{m.group(1)}", text)


def matrix_ids(message: Message) -> list[str]:
    return sorted({u.user_id for u in message.mentions if u.platform == "matrix"})


def pill(user_id: str, name: str) -> str:
    href = html.escape(f"https://matrix.to/#/{user_id}", quote=True)
    return f'<a href="{href}">{html.escape(name)}</a>'


def _inline(text: str) -> str:
    escaped = html.escape(defuse(text), quote=False)
    return CODE_SPAN.sub(r"<code>\1</code>", escaped)


def to_html(message: Message) -> str:
    parts: list[str] = []
    if message.tlp:
        parts.append(f"<p><strong>[TLP:{html.escape(message.tlp)}]</strong></p>")
    if message.title:
        parts.append(f"<p><strong>{_inline(message.title)}</strong></p>")
    if message.body:
        lines = message.body.splitlines()
        parts.append("<p>" + "<br/>".join(_inline(line) for line in lines) + "</p>")
    if message.fields:
        items = "".join(
            f"<li><strong>{_inline(f.label)}</strong>: {_inline(f.value)}</li>"
            for f in message.fields
        )
        parts.append(f"<ul>{items}</ul>")
    if message.footer:
        parts.append(f"<p><em>{_inline(message.footer)}</em></p>")
    body = "".join(parts)
    for user in message.mentions:
        if user.platform != "matrix":
            continue
        name = html.escape(defuse(user.name), quote=False)
        if name and name in body:
            body = body.replace(name, pill(user.user_id, user.name), 1)
        else:
            body = pill(user.user_id, user.name) + ": " + body
    return body


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
    content["formatted_body"] = f"{pill(user_id, name)}: {content['formatted_body']}"
    content["m.mentions"] = {"user_ids": [user_id]}
    return content
