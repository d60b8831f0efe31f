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
    fields: dict[str, object] = {
        "incident": incident_key,
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "kind": entry.kind,
        "actor": [entry.actor_platform, entry.actor_workspace, entry.actor_user_id],
        "org": entry.actor_org,
        "text": entry.text,
        "tlp": entry.tlp,
        "source": entry.source_event_id,
    }
    if entry.phrase:
        fields["phrase"] = entry.phrase
    if entry.hash_version >= 2:
        fields["v"] = entry.hash_version
        fields["display"] = entry.actor_display
    return fields


def canonical_of(fields: dict[str, object]) -> str:
    return json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(prev_hash: str, entry: Hashed, incident_key: str) -> str:
    return hash_of(prev_hash, canonical(entry, incident_key))


def hash_of(prev_hash: str, canonical_text: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_text.encode("utf-8"))
    return digest.hexdigest()
