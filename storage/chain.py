"""The timeline hash chain: SHA-256 over the previous hash and the canonical entry."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Protocol


class Hashed(Protocol):
    """What the hash covers: a stored TimelineEntry, or one about to be stored."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor_platform(self) -> str: ...
    @property
    def actor_workspace(self) -> str: ...
    @property
    def actor_user_id(self) -> str: ...
    @property
    def actor_org(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def tlp(self) -> str: ...
    @property
    def source_event_id(self) -> str: ...
    @property
    def phrase(self) -> str: ...
    @property
    def actor_display(self) -> str: ...
    @property
    def hash_version(self) -> int: ...


CURRENT_VERSION = 2  # the canonical form new entries are hashed with


def canonical(entry: Hashed, incident_key: str) -> str:
    """The fields an entry's hash covers, as compact sorted JSON. A bot's phrase is covered
    where there is one (entries older than phrases have none, and keep their hashes).
    Version 2 covers everything a view shows of the entry: the actor's display name too."""
    return canonical_of(canonical_fields(entry, incident_key))


def canonical_fields(entry: Hashed, incident_key: str) -> dict[str, object]:
    return fields_of(
        incident_key,
        entry.seq,
        entry.at,
        entry.kind,
        (entry.actor_platform, entry.actor_workspace, entry.actor_user_id, entry.actor_display),
        entry.actor_org,
        entry.text,
        entry.tlp,
        entry.source_event_id,
        entry.phrase,
        entry.hash_version,
    )


def fields_of(
    incident_key: str,
    seq: int,
    at: datetime,
    kind: str,
    actor: tuple[str, str, str, str],
    org: str,
    text: str,
    tlp: str,
    source: str,
    phrase: str,
    version: int,
) -> dict[str, object]:
    """The hashed fields from plain values (`audit verify` reads rows as tuples, fast)."""
    fields: dict[str, object] = {
        "incident": incident_key,
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "kind": kind,
        "actor": [actor[0], actor[1], actor[2]],
        "org": org,
        "text": text,
        "tlp": tlp,
        "source": source,
    }
    if phrase:
        fields["phrase"] = phrase
    if version >= 2:
        fields["v"] = version
        fields["display"] = actor[3]
    return fields


# one encoder for every entry: json.dumps with options builds a new one per call
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_of(fields: dict[str, object]) -> str:
    return _CANONICAL.encode(fields)


def entry_hash(prev_hash: str, entry: Hashed, incident_key: str) -> str:
    return hash_of(prev_hash, canonical(entry, incident_key))


def hash_of(prev_hash: str, canonical_text: str) -> str:
    """SHA-256 of the previous hash (hex, ASCII) followed by the canonical entry (UTF-8)."""
    return hashlib.sha256((prev_hash + canonical_text).encode("utf-8")).hexdigest()
