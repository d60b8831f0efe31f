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


def strings_field(
    raw: Mapping[str, Any], key: str, fail: Fail, *, needed: bool = False
) -> list[str]:
    """A list of non-empty strings, each stripped; missing is an empty list unless `needed`."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(key, "must be a list of strings")
    if needed and not value:
        raise fail(key, "is missing or empty")
    return [v.strip() for v in value]
