"""Traffic Light Protocol 2.0 levels and markings."""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum


class Tlp(IntEnum):
    """TLP levels ordered from least to most restrictive."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        return "AMBER+STRICT" if self is Tlp.AMBER_STRICT else self.name

    @classmethod
    def parse(cls, text: str) -> Tlp:
        """Parse `amber`, `TLP:AMBER+STRICT`, `white` (TLP 1.0's name for CLEAR)..."""
        name = text.strip().upper().removeprefix("TLP:").replace("+", "_").replace("-", "_")
        if name == "WHITE":
            name = "CLEAR"
        try:
            return cls[name]
        except KeyError:
            raise ValueError(
                f"unknown TLP level {text!r}: use clear, green, amber, amber+strict or red"
            ) from None


# Zero-width characters and the soft hyphen, deleted before reading (a regex: str.translate
# with a table is ten times slower).
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# Between the parts of a marking: spaces of one line (NFKC has made most Unicode spaces
# U+0020 already) and chat markup: Slack's and Markdown's _ * ~ and backticks.
_GAP = r"(?:[^\S\r\n]|[_*~`])*"
# `+` before STRICT, or what people type instead: - _ and the Unicode hyphens and minus.
_JOIN = r"[+\-_\u2010-\u2013\u2212]"
# Neither side of a marking touches a letter or digit (`ATLP:RED`, `TLP:REDDISH`); `_`
# does not count as one there, so `_TLP:RED_` is italic markup around a marking.
_MARKING = re.compile(
    rf"(?<![^\W_])TLP{_GAP}:{_GAP}(CLEAR|WHITE|GREEN|AMBER|RED)"
    rf"(?:(?<=AMBER){_GAP}{_JOIN}{_GAP}(STRICT))?(?![^\W_])",
    re.IGNORECASE,
)
_LEVELS = {"CLEAR": Tlp.CLEAR, "WHITE": Tlp.CLEAR, "GREEN": Tlp.GREEN, "RED": Tlp.RED}


def _level(match: re.Match[str]) -> Tlp:
    name = match.group(1).upper()
    if name == "AMBER":
        return Tlp.AMBER_STRICT if match.group(2) else Tlp.AMBER
    return _LEVELS[name]


def marking_in(text: str) -> Tlp | None:
    """The most restrictive TLP marking written anywhere in `text`, if any."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    found = [_level(match) for match in _MARKING.finditer(text)]
    return max(found) if found else None
