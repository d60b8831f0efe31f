"""Traffic Light Protocol 2.0 levels and markings."""

from __future__ import annotations

import re
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


_MARKING = re.compile(r"\bTLP:(CLEAR|WHITE|GREEN|AMBER\+STRICT|AMBER|RED)\b", re.IGNORECASE)


def marking_in(text: str) -> Tlp | None:
    """The most restrictive TLP marking written anywhere in `text`, if any."""
    found = [Tlp.parse(m) for m in _MARKING.findall(text)]
    return max(found) if found else None
