"""`warroom audit verify-export`: an organisation checks its own `export --as-org` copy
offline, with the deployment's public key and nothing else.

Visible entries carry the fields their hash covers (`hashed`, and `text` when the text is
shown as hashed), so each is recomputed; a withheld stub `{seq, prev_hash, hash}` and an
entry shown redacted still link the chain, so every checkpoint in the file checks end to end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from warroom.bot.domain.checkpoint import parse
from warroom.bot.operations.audit_checkpoints import Link, against_chain, signature_problem
from warroom.storage.chain import canonical_of, hash_of
from warroom.storage.models import GENESIS_HASH


class NotAnExport(Exception):
    """The file is not a JSON export of warroom's (the reason, in one line)."""


def verify_export(data: Any, key: Ed25519PublicKey) -> tuple[int, int, list[str]]:
    """(entries linked, entries recomputed, problems) of one export."""
    if not isinstance(data, dict) or not isinstance(data.get("timeline"), list):
        raise NotAnExport("not a warroom JSON export (no timeline)")
    incident = str(data.get("key", "?"))
    problems: list[str] = []
    chain: list[Link] = []
    prev, recomputed = GENESIS_HASH, 0
    for n, entry in enumerate(data["timeline"], start=1):
        if not isinstance(entry, dict) or not {"seq", "prev_hash", "hash"} <= entry.keys():
            raise NotAnExport(f"timeline entry {n} has no seq, prev_hash and hash")
        seq, where = entry["seq"], f"{incident} entry #{entry['seq']}"
        if seq != n:
            problems.append(f"{incident} entry #{n}: missing (removed from the export?)")
        if entry["prev_hash"] != prev:
            problems.append(f"{where}: does not follow the entry before it")
        hashed = entry.get("hashed")
        if isinstance(hashed, dict) and entry.get("text_hashed"):
            recomputed += 1
            fields = {**hashed, "text": entry.get("text", "")}
            if hash_of(entry["prev_hash"], canonical_of(fields)) != entry["hash"]:
                problems.append(f"{where}: altered: its hash does not match its fields")
            if _shown_differs(entry, hashed):
                problems.append(f"{where}: altered: what it shows is not what was hashed")
        at = hashed.get("at") if isinstance(hashed, dict) else None
        chain.append(Link(seq, str(entry["hash"]), datetime.fromisoformat(at) if at else None))
        prev = str(entry["hash"])
    for document in data.get("checkpoints") or []:
        signed = parse(document)
        if signed is None:
            problems.append(f"{incident}: a checkpoint in the export cannot be read")
            continue
        wrong = signature_problem(signed, key)
        found = [wrong] if wrong else against_chain(signed, chain)
        problems += [f"{incident}: {w}" for w in found]
    return len(chain), recomputed, problems


def _shown_differs(entry: dict[str, Any], hashed: dict[str, Any]) -> bool:
    """Whether the entry shows a kind, time, actor or name other than the hashed ones."""
    actor = entry.get("actor") or {}
    ids = hashed.get("actor") or ["", "", ""]
    pairs = [
        (entry.get("kind"), hashed.get("kind")),
        (actor.get("org"), hashed.get("org")),
        (actor.get("user_id"), ids[-1]),
        (_moment(entry.get("at")), _moment(hashed.get("at"))),
    ]
    if "display" in hashed:
        pairs.append((actor.get("display"), hashed["display"]))
    return any(shown != kept for shown, kept in pairs)


def _moment(at: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        return None
