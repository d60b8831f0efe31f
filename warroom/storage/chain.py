"""The timeline hash chain: SHA-256 over the previous hash and the canonical entry."""

from __future__ import annotations

import hashlib
import json

from warroom.storage.models import TimelineEntry


def canonical(entry: TimelineEntry, incident_key: str) -> str:
    """The fields an entry's hash covers, as compact sorted JSON."""
    return json.dumps(
        {
            "incident": incident_key,
            "seq": entry.seq,
            "at": entry.at.isoformat(timespec="microseconds"),
            "kind": entry.kind,
            "actor": [entry.actor_platform, entry.actor_workspace, entry.actor_user_id],
            "org": entry.actor_org,
            "text": entry.text,
            "tlp": entry.tlp,
            "source": entry.source_event_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(prev_hash: str, entry: TimelineEntry, incident_key: str) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(entry, incident_key).encode("utf-8"))
    return digest.hexdigest()
