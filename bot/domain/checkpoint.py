"""Signed checkpoints: a deployment's Ed25519 signature over an incident's chain head.

A statement is canonical JSON (sorted keys, compact, UTF-8) of {v, incident, seq, head, at,
key}; the signed document is {"statement": ..., "signature": base64}. The same document is
carried by Slack message metadata, Matrix event content, a console line's trailing token
and exports, so a verifier finds it in any of them (`documents_in`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = 1
KIND = "checkpoint"  # the Message attachment's kind
TOKEN_PREFIX = f"warroom-{KIND}:"  # a console line's trailing word (messages.Attachment)
_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"([A-Za-z0-9_-]+={0,2})")


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


@dataclass(frozen=True)
class Statement:
    """What a checkpoint says: incident `incident` had `seq` entries ending in `head`."""

    incident: str
    seq: int
    head: str
    at: str  # UTC ISO 8601
    key: str  # the signing key's fingerprint

    def canonical(self) -> bytes:
        fields = {
            "v": VERSION,
            "incident": self.incident,
            "seq": self.seq,
            "head": self.head,
            "at": self.at,
            "key": self.key,
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.canonical())
        return data


@dataclass(frozen=True)
class Signed:
    statement: Statement
    signature: str  # base64 of the 64-byte Ed25519 signature

    def document(self) -> dict[str, Any]:
        return {"statement": self.statement.as_dict(), "signature": self.signature}

    def verifies(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(base64.b64decode(self.signature, validate=True), self.statement.canonical())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


def sign(key: Ed25519PrivateKey, *, incident: str, seq: int, head: str, at: datetime) -> Signed:
    stamp = at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    statement = Statement(incident, seq, head, stamp, fingerprint(key.public_key()))
    signature = base64.b64encode(key.sign(statement.canonical())).decode("ascii")
    return Signed(statement, signature)


def parse(document: Any) -> Signed | None:
    """The checkpoint a JSON value holds; None if it holds none (or a malformed one)."""
    if not isinstance(document, dict):
        return None
    body, signature = document.get("statement"), document.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, str):
        return None
    try:
        statement = Statement(
            incident=str(body["incident"]),
            seq=int(body["seq"]),
            head=str(body["head"]),
            at=str(body["at"]),
            key=str(body["key"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if body.get("v") != VERSION:
        return None
    return Signed(statement, signature)


def documents_in(text: str) -> Iterator[Signed]:
    """Every checkpoint in a file: console lines' tokens, and documents anywhere inside
    JSON (an export, Slack messages with metadata, Matrix events), whole or one a line."""
    for match in _TOKEN.finditer(text):
        try:
            raw = base64.urlsafe_b64decode(match.group(1)).decode("utf-8")
            found = parse(json.loads(raw))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if found is not None:
            yield found
    for value in _json_values(text):
        yield from _walk(value)


def _json_values(text: str) -> Iterator[Any]:
    try:
        yield json.loads(text)
        return
    except ValueError:
        pass
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _walk(value: Any) -> Iterator[Signed]:
    found = parse(value)
    if found is not None:
        yield found
        return
    children = value.values() if isinstance(value, dict) else value
    if isinstance(value, dict | list):
        for child in children:
            yield from _walk(child)
