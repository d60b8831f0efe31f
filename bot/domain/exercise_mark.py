"""The one mark of an exercise: what the bot says into an exercise incident's rooms (and
about it anywhere else: its card, digests, the start answer) begins with it, so nobody takes
a drill for a real incident."""

from __future__ import annotations

from dataclasses import replace

from warroom.bot.domain.language import LOCALES, Language
from warroom.bot.domain.messages import Message

SEPARATOR = " · "


def label(lang: Language) -> str:
    return lang.gettext("🎭 EXERCISE")


def carries_mark(text: str) -> bool:
    """Whether `text` begins with the mark in any language (an answer in its asker's
    language may be posted in a room that reads another)."""
    return any(text.startswith(label(Language(locale))) for locale in LOCALES)


def marked_text(text: str, lang: Language) -> str:
    """`text` after the mark; text that carries it already is left as it is."""
    if carries_mark(text):
        return text
    mark = label(lang)
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
