"""Neutral messages as Block Kit, with every piece of user text escaped.

Slack reads `<...>` as markup (`<!channel>`, `<@U1>`, links) and `&` as the start of an
entity, so all text is escaped first; only mentions the bot itself puts there are markup.
"""

from __future__ import annotations

import re
from typing import Any

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import ENGLISH, N_, Language
from warroom.bot.domain.messages import ChecklistItem, Message
from warroom.bot.domain.text import visible_text

SECTION_LIMIT = 3000  # characters in one section's text
FIELD_LIMIT = 2000  # characters in one section field
FIELDS_PER_SECTION = 10
HEADER_LIMIT = 150
MAX_BLOCKS = 50
FALLBACK_LIMIT = 3900
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
TLP_ICONS = {
    "RED": "🔴",
    "AMBER+STRICT": "🟠",
    "AMBER": "🟠",
    "GREEN": "🟢",
    "CLEAR": "⚪",
}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
CHECKLIST_ACTION = "warroom_task"  # every task checkbox; its option's value is the number
CHECKLIST_BLOCK = "warroom_checklist:"  # + the index of the block's first task
OPTIONS_PER_CHECKBOXES = 10  # Slack's limit for one checkboxes element
OPTION_TEXT_LIMIT = 75  # characters in an option's text, and in its description

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text as Slack shows it literally: no mentions, links or entities can be injected, and
    control characters are made visible."""
    return visible_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaping of `&`, `<` and `>` in text it sends us, undone."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(markdown: str) -> str:
    """The bot's markdown (`**bold**`, `code`) as escaped Slack mrkdwn."""
    return _BOLD.sub(r"*\1*", escape(markdown))


def mention(user: UserRef) -> str:
    if user.platform == "slack" and USER_ID.match(user.user_id):
        return f"<@{user.user_id}>"
    return escape(user.name)


CUT_SHORT = N_("cut short: too long for one message")


def render(message: Message, lang: Language = ENGLISH) -> tuple[str, list[Block]]:
    """`(text, blocks)` for chat.postMessage: the blocks, and the plain fallback Slack shows
    in notifications; what the renderer adds itself is said in `lang`, the room's."""
    blocks: list[Block] = []
    if message.tlp:
        icon = TLP_ICONS.get(message.tlp.upper(), "")
        blocks.append(_context(f"{icon} *TLP:{escape(message.tlp)}*".strip()))
    if message.title:
        title = _clip(visible_text(message.title), HEADER_LIMIT)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": title}})
    if message.checklist:  # its lines are the checkboxes; the body stays the fallback text
        blocks += checklist_blocks(message.checklist)
    else:
        blocks += [_section(chunk) for chunk in _chunks(mrkdwn(message.body), SECTION_LIMIT)]
    pairs = [
        _clip(f"*{escape(f.label)}*\n{mrkdwn(f.value) or '-'}", FIELD_LIMIT)
        for f in message.fields
    ]
    for start in range(0, len(pairs), FIELDS_PER_SECTION):
        fields = [{"type": "mrkdwn", "text": p} for p in pairs[start : start + FIELDS_PER_SECTION]]
        blocks.append({"type": "section", "fields": fields})
    if message.mentions:
        blocks.append(_section(" ".join(mention(u) for u in message.mentions)))
    if message.footer:
        blocks.append(_context(mrkdwn(message.footer)))
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], _context(f"_({lang.gettext(CUT_SHORT)})_")]
    return fallback(message), blocks


def checklist_blocks(items: tuple[ChecklistItem, ...]) -> list[Block]:
    """A checkbox per task, ticked when done, ten to an `actions` block (Slack's limit)."""
    blocks: list[Block] = []
    for start in range(0, len(items), OPTIONS_PER_CHECKBOXES):
        chunk = items[start : start + OPTIONS_PER_CHECKBOXES]
        options = [task_option(item) for item in chunk]
        element: Block = {"type": "checkboxes", "action_id": CHECKLIST_ACTION, "options": options}
        ticked = [option for option, item in zip(options, chunk, strict=True) if item.done]
        if ticked:  # Slack refuses an empty list here
            element["initial_options"] = ticked
        blocks.append(
            {"type": "actions", "block_id": f"{CHECKLIST_BLOCK}{start}", "elements": [element]}
        )
    return blocks


def task_option(item: ChecklistItem) -> Block:
    text = _clip(f"*{item.number}.* {escape(item.text)}", OPTION_TEXT_LIMIT)
    option: Block = {"text": {"type": "mrkdwn", "text": text}, "value": str(item.number)}
    if item.detail:
        detail = _clip(mrkdwn(item.detail), OPTION_TEXT_LIMIT)
        option["description"] = {"type": "mrkdwn", "text": detail}
    return option


def fallback(message: Message) -> str:
    text = escape(message.plain_text())
    if message.mentions:
        text = " ".join(mention(u) for u in message.mentions) + " " + text
    return _clip(text, FALLBACK_LIMIT) or " "


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, never cutting an escaped entity (`&lt;`) in half."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    entity = text.rfind("&", max(0, cut - 5), cut)
    if entity != -1 and ";" not in text[entity:cut]:
        cut = entity
    return text[:cut] + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split on line ends into pieces of at most `limit` characters."""
    if not text.strip():
        return []
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            cut = line.rfind("&", 0, limit)
            cut = cut if cut > limit - 8 else limit  # never split an entity
            chunks.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
