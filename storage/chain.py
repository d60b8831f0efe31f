"""The timeline hash chain: SHA-256 over the previous hash and the canonical entry."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from json.encoder import encode_basestring
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
    """The hashed fields from plain values."""
    moment = canonical_time(at)
    return _fields(incident_key, seq, moment, kind, actor, org, text, tlp, source, phrase, version)


def canonical_time(at: datetime) -> str:
    """How the canonical form writes an entry's time (an aware UTC datetime)."""
    return at.isoformat(timespec="microseconds")


def _fields(
    incident_key: str,
    seq: int,
    at: str,
    kind: str,
    actor: tuple[str, str, str, str],
    org: str,
    text: str,
    tlp: str,
    source: str,
    phrase: str,
    version: int,
) -> dict[str, object]:
    fields: dict[str, object] = {
        "incident": incident_key,
        "seq": seq,
        "at": at,
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


def canonical_of_values(
    incident_key: str,
    seq: int,
    at: str,
    kind: str,
    actor: tuple[str, str, str, str],
    org: str,
    text: str,
    tlp: str,
    source: str,
    phrase: str,
    version: int,
) -> str:
    """`canonical_of(fields_of(...))` with `at` already as `canonical_time` writes it, built
    as one string (`audit verify` makes a million). The keys are written in sorted order and
    strings quoted by the encoder's own function; values of any other type (a tampered row)
    go through the encoder itself."""
    if type(seq) is not int or type(version) is not int:
        return canonical_of(
            _fields(incident_key, seq, at, kind, actor, org, text, tlp, source, phrase, version)
        )
    q = encode_basestring
    try:
        display = f'"display":{q(actor[3])},' if version >= 2 else ""
        said = f'"phrase":{q(phrase)},' if phrase else ""
        tail = f',"v":{version}' if version >= 2 else ""
        return (
            f'{{"actor":[{q(actor[0])},{q(actor[1])},{q(actor[2])}],"at":{q(at)},{display}'
            f'"incident":{q(incident_key)},"kind":{q(kind)},"org":{q(org)},{said}'
            f'"seq":{seq},"source":{q(source)},"text":{q(text)},"tlp":{q(tlp)}{tail}}}'
        )
    except TypeError:  # a value that is not a string
        return canonical_of(
            _fields(incident_key, seq, at, kind, actor, org, text, tlp, source, phrase, version)
        )


def entry_hash(prev_hash: str, entry: Hashed, incident_key: str) -> str:
    return hash_of(prev_hash, canonical(entry, incident_key))


def hash_of(prev_hash: str, canonical_text: str) -> str:
    """SHA-256 of the previous hash (hex, ASCII) followed by the canonical entry (UTF-8)."""
    return hashlib.sha256((prev_hash + canonical_text).encode("utf-8")).hexdigest()
