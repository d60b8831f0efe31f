"""The incident row against its timeline: title, severity, TLP and state are each set by a
hashed entry (open, sev, tlp, a state change, resolve, close), so an edited row shows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from warroom.bot.domain.vocabulary import EntryKind, State


def expected_fields(entries: Iterable[Any]) -> dict[str, object]:
    """What the entries set, in order (`kind` and `phrase` of each); {} before an opening."""
    fields: dict[str, object] = {}
    for entry in entries:
        kind, values = entry.kind, _values(entry.phrase)
        if kind == EntryKind.OPENED and values:
            fields = {
                "title": values.get("title"),
                "severity": values.get("severity"),
                "tlp": values.get("tlp"),
                "state": State.INVESTIGATING.value,
            }
        elif kind == EntryKind.SEVERITY and "new" in values:
            fields["severity"] = values["new"]
        elif kind == EntryKind.TLP and "new" in values:
            fields["tlp"] = values["new"]
        elif kind == EntryKind.STATE and "new" in values:
            fields["state"] = values["new"]
        elif kind == EntryKind.RESOLVED:
            fields["state"] = State.RESOLVED.value
        elif kind == EntryKind.CLOSED:
            fields["state"] = State.CLOSED.value
    return fields


def disagreements(row: dict[str, object], expected: dict[str, object]) -> list[str]:
    """`title "X" (its timeline set "Y")` for each field the row has otherwise."""
    return [
        f"{name} {row[name]!r} (its timeline set {value!r})"
        for name, value in expected.items()
        if value is not None and str(row.get(name)) != str(value)
    ]


def _values(phrase: str) -> dict[str, Any]:
    if not phrase:
        return {}
    try:
        decoded = json.loads(phrase)
    except ValueError:
        return {}
    values = decoded.get("values") if isinstance(decoded, dict) else None
    return values if isinstance(values, dict) else {}
