"""detect-secrets as redaction uses it: its line scan with our choice of detectors, and its
entropy measure. Imported only once a text needs it (redact.py)."""

from __future__ import annotations

from functools import cache
from typing import Any

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_line
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.settings import cache_bust, configure_settings_from_baseline

# Entropy is judged in redact.py, on whole words, so hex hashes (at most 4 bits a character)
# pass; public IPs are indicators of compromise that responders must share, not secrets.
SKIPPED = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}


@cache
def detector_settings() -> dict[str, Any]:
    detectors: list[type] = list(get_mapping_from_secret_type_to_class().values())
    names = sorted(cls.__name__ for cls in detectors if cls.__name__ not in SKIPPED)
    return {"plugins_used": [{"name": name} for name in names]}


@cache
def configure_detectors() -> None:
    """detect-secrets' settings are the process's own: nothing else here scans, so they are
    set once (re-applying them for each text cost two thirds of a redaction)."""
    cache_bust()
    configure_settings_from_baseline(detector_settings())


def findings(text: str) -> set[str]:
    """The secret values detect-secrets finds in `text`, line by line."""
    configure_detectors()
    found: set[str] = set()
    for line in text.splitlines():
        found.update(s.secret_value for s in scan_line(line) if s.secret_value)
    return found


def entropy(text: str) -> float:
    return float(Base64HighEntropyString().calculate_shannon_entropy(text))
