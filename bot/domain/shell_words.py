"""Shell-like words as `shlex.split` makes them, read with regular expressions: shlex reads
a character at a time in Python, a tenth of a millisecond for a quoted sentence, on every
command's path. tests/unit/test_shell_words.py holds the two to the same words."""

from __future__ import annotations

import re

_SPACE = re.compile(r"[ \t\r\n]+")  # shlex's whitespace: not every Unicode space
_SPECIAL = re.compile(r"['\"\\]")
_PIECE = re.compile(r"""[^ \t\r\n'"\\]+|\\.|'[^']*'|"(?:[^"\\]|\\.)*"|[ \t\r\n]+""", re.DOTALL)
_IN_DOUBLE_QUOTES = re.compile(r"\\([\\\"])")  # there a backslash escapes only these two


class Unbalanced(ValueError):
    """A quotation without its end, or a backslash with nothing after it (shlex's ValueError)."""


def shell_words(text: str) -> list[str]:
    """`shlex.split(text)`; `Unbalanced` where it raises ValueError."""
    if _SPECIAL.search(text) is None:
        return [word for word in _SPACE.split(text) if word]
    words: list[str] = []
    word: str | None = None
    at = 0
    for match in _PIECE.finditer(text):
        if match.start() != at:
            raise Unbalanced(text[at : match.start() + 1])
        at = match.end()
        piece = match.group()
        first = piece[0]
        if first in " \t\r\n":
            if word is not None:
                words.append(word)
                word = None
            continue
        if first == "\\":
            value = piece[1]
        elif first == "'":
            value = piece[1:-1]
        elif first == '"':
            value = _IN_DOUBLE_QUOTES.sub(r"\1", piece[1:-1])
        else:
            value = piece
        word = value if word is None else word + value
    if at != len(text):
        raise Unbalanced(text[at:])
    if word is not None:
        words.append(word)
    return words
