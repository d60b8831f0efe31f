"""Babel's extraction method for the shipped playbooks and exercises (babel.cfg): the texts
the bot posts from those TOML files go into the catalog, and are translated where shown."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

# the keys whose values the bot says (ids, patterns and task prefixes to match are not said)
SAID_KEYS = frozenset({"title", "description", "summary", "text", "objectives", "questions"})

Extracted = tuple[int, str | None, str, list[str]]


def extract_toml(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """`(line, None, text, [])` for each said text, in the file's order."""
    source = fileobj.read().decode("utf-8")
    lines = source.splitlines()
    for text in said_texts(tomllib.loads(source)):
        yield _line_of(text, lines), None, text, []


def said_texts(value: Any, key: str = "") -> Iterator[str]:
    """Every text under a said key, tables and arrays of tables walked through."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from said_texts(inner, name)
    elif isinstance(value, list):
        for item in value:
            yield from said_texts(item, key)
    elif isinstance(value, str) and key in SAID_KEYS and value:
        yield value


def _line_of(text: str, lines: list[str]) -> int:
    """Where the text starts (tomllib keeps no positions): for a translator's bearings."""
    head = text.splitlines()[0][:40]
    return next((n for n, line in enumerate(lines, 1) if head in line), 1)
