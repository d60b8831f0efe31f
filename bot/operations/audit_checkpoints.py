"""Checkpoints gathered from the organisations against a stored (or exported) chain.

A checkpoint says "INC-N had `seq` entries ending in `head`, at `at`". Against the chain:
a head beyond the stored end is a cut tail; a different hash at its seq is a rewrite, and
the entries' times tell which kind (an entry is dated before the checkpoint that includes
it; entries out of time order were moved).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from warroom.bot.domain.checkpoint import Signed, fingerprint


@dataclass(frozen=True)
class Link:
    """One entry of a chain as a checkpoint check needs it (at None: withheld, not known)."""

    seq: int
    hash: str
    at: datetime | None


def signature_problem(signed: Signed, key: Ed25519PublicKey) -> str | None:
    ours = fingerprint(key)
    statement = signed.statement
    if statement.key != ours:
        return (
            f"checkpoint #{statement.seq} of {statement.at} was signed by another "
            f"deployment's key ({statement.key}; this deployment's is {ours})"
        )
    if not signed.verifies(key):
        return (
            f"checkpoint #{statement.seq} of {statement.at}: bad signature "
            "(it does not match the public key)"
        )
    return None


def against_chain(signed: Signed, chain: Sequence[Link]) -> list[str]:
    """What a checkpoint with a good signature finds wrong with `chain` (in seq order)."""
    statement = signed.statement
    at = datetime.fromisoformat(statement.at.replace("Z", "+00:00"))
    where = f"checkpoint #{statement.seq} of {statement.at}"
    last = chain[-1].seq if chain else 0
    if statement.seq > last:
        return [
            f"{where}: the timeline ends at #{last}, before the signed head: "
            "its tail was cut (entries deleted and the head lowered)"
        ]
    by_seq = {link.seq: link for link in chain}
    entry = by_seq.get(statement.seq)
    if statement.seq == 0 or (entry is not None and entry.hash == statement.head):
        return []
    return [f"{where}: {_rewrite(chain, statement.seq, at)}"]


def _rewrite(chain: Sequence[Link], seq: int, at: datetime) -> str:
    dated = [link for link in chain if link.at is not None]
    for before, after in pairwise(dated):
        if (
            after.seq <= seq
            and after.at is not None
            and before.at is not None
            and (after.at < before.at)
        ):
            return (
                f"the entries up to it were reordered (#{after.seq} is dated before "
                f"#{before.seq}), and the hashes recomputed"
            )
    # a checkpoint is signed as its transaction commits, after every entry up to its seq
    upto = sum(1 for link in dated if link.at is not None and link.at <= at)
    if upto > seq:
        return (
            f"an entry was inserted (forged) before it: {upto} entries are dated up to "
            f"a checkpoint of {seq}, and the hashes recomputed"
        )
    if upto < seq and len(dated) == len(chain):
        return (
            f"an entry before it was removed: only {upto} entries are dated up to a "
            f"checkpoint of {seq}, and the hashes recomputed"
        )
    return (
        f"the head at #{seq} differs from the signed one: an entry up to it was rewritten "
        "and the hashes recomputed"
    )
