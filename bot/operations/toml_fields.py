"""Reading the fields of a TOML file a person wrote (playbooks, exercise scenarios): each
problem reported through the file's `fail(key, why)`, naming the key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Fail = Callable[[str, str], Exception]


def text_field(
    raw: Mapping[str, Any], key: str, fail: Fail, *, where: str = "", default: str | None = None
) -> str:
    """A string field, stripped; missing or empty (when it has no default) is a problem."""
    shown = f"{where}.{key}" if where else key
    value = raw.get(key, default)
    if value is None:
        raise fail(shown, "is missing")
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise fail(shown, "must be a string" if not isinstance(value, str) else "is empty")
    return value.strip()
