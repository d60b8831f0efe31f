"""The one mark of an exercise: what the bot says into an exercise incident's rooms (and
about it anywhere else: its card, digests, the start answer) begins with it, so nobody takes
a drill for a real incident."""

from __future__ import annotations

from dataclasses import replace

from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Message

SEPARATOR = " · "


def label(lang: Language) -> str:
    return lang.gettext("🎭 EXERCISE")


def marked_text(text: str, lang: Language) -> str:
    """`text` after the mark; text that carries it already is left as it is."""
    mark = label(lang)
    if text.startswith(mark):
        return text
    return f"{mark}{SEPARATOR}{text}" if text else mark


def marked(message: Message, lang: Language) -> Message:
    """The message with the mark leading its title (its body, when it has no title)."""
    if message.title or not message.body:
        return replace(message, title=marked_text(message.title, lang))
    return replace(message, body=marked_text(message.body, lang))


def about(message: Message, lang: Language, *, exercise: bool) -> Message:
    """Marked when it is about an exercise and read outside its rooms (a digest room, an
    answer elsewhere), where nothing else marks it."""
    return marked(message, lang) if exercise else message


def is_marked(message: Message, lang: Language) -> bool:
    return (message.title or message.body).startswith(label(lang))
