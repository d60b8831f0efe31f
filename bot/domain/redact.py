"""Secrets out of relayed copies: detect-secrets' detectors, plus the few shapes it misses
in chat (`password: hunter2`, a pasted private key block)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_line
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.settings import transient_settings

REDACTED = "[redacted]"
# Entropy detectors are applied below with their thresholds; public IPs are indicators of
# compromise that responders must share, not secrets.
_SKIPPED = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
_ENTROPY_LIMIT = 4.5
_ENTROPY_MIN_LENGTH = 20
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
_KEYWORD = re.compile(
    r"(?i)\b(pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key)"
    r"(\s*(?:is|[:=])\s*)([\"']?)([^\s\"']{4,})\3"
)
_TOKEN = re.compile(r"[^\s\"'`<>()\[\]{},;]+")


@cache
def _settings() -> dict[str, Any]:
    detectors: list[type] = list(get_mapping_from_secret_type_to_class().values())
    names = sorted(cls.__name__ for cls in detectors if cls.__name__ not in _SKIPPED)
    return {"plugins_used": [{"name": name} for name in names]}


def _entropy(text: str) -> float:
    return float(Base64HighEntropyString().calculate_shannon_entropy(text))


def redact(text: str) -> tuple[str, int]:
    """The text with every secret replaced by `[redacted]`, and how many were found."""
    count = 0

    def keyword(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{match.group(1)}{match.group(2)}{match.group(3)}{REDACTED}{match.group(3)}"

    text, blocks = _PRIVATE_KEY.subn(REDACTED, text)
    count += blocks
    text = _KEYWORD.sub(keyword, text)
    found: set[str] = set()
    with transient_settings(_settings()):
        for line in text.splitlines():
            found.update(s.secret_value for s in scan_line(line) if s.secret_value)
    out = []
    last = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token == REDACTED:
            continue
        hit = any(value in token for value in found if len(value) >= 3) or (
            len(token) >= _ENTROPY_MIN_LENGTH and _entropy(token) > _ENTROPY_LIMIT
        )
        if hit:
            out.append(text[last : match.start()] + REDACTED)
            last = match.end()
            count += 1
    out.append(text[last:])
    return "".join(out), count
