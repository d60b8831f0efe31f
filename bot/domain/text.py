"""Text as the bot may show it: control characters made visible, limits, encodability."""

from __future__ import annotations

import re

# C0 but newline and tab, DEL, C1, and the bidi embeddings, overrides and isolates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␛ ␇ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"[U+{code:04X}]"


def visible_text(text: str) -> str:
    """`text` with every control character and bidi override replaced by a visible stand-in,
    so nothing the bot repeats can clear a terminal, retitle it or reorder what it shows."""
    return _CONTROL.sub(_shown, text)


def encodable(text: str) -> bool:
    """Whether `text` is valid Unicode that UTF-8 can carry (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def well_formed(text: str) -> str:
    """`text` with anything UTF-8 cannot carry (lone surrogates) replaced by U+FFFD."""
    return text if encodable(text) else _SURROGATE.sub("\ufffd", text)


def clipped(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, with a marker saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [truncated: {len(text):,} characters]"
