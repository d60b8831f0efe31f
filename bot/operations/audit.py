"""`warroom audit verify`: walk each timeline's hash chain, check the incident row against
its timeline, and check the chain against signed checkpoints the organisations kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from warroom.bot.domain.checkpoint import Signed
from warroom.bot.operations.audit_checkpoints import Link, against_chain, signature_problem
from warroom.bot.operations.audit_fields import disagreements, expected_fields
from warroom.storage.chain import canonical_of_values, hash_of
from warroom.storage.models import GENESIS_HASH, Incident
from warroom.storage.store import UnitOfWork


@dataclass(frozen=True)
class Problem:
    incident: str
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.incident} entry #{self.seq}" if self.seq else self.incident
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class Witnesses:
    """Checkpoints gathered from the organisations, and the key they must be signed with."""

    checkpoints: Sequence[Signed]
    key: Ed25519PublicKey


def verify(
    uow: UnitOfWork, key: str | None = None, *, witnesses: Witnesses | None = None
) -> tuple[int, list[Problem]]:
    """Check one incident or all; returns (entries checked, problems found)."""
    if key:
        found = uow.incidents.by_key(key)
        if found is None:
            raise LookupError(f"there is no incident {key}")
        chosen = [found]
    else:
        chosen = list(uow.incidents.all())
    checked = 0
    problems: list[Problem] = []
    signed = _good(witnesses, key, problems)
    for incident in chosen:
        mine = [s for s in signed if s.statement.incident == incident.key]
        count, found_problems = _verify_one(uow, incident, mine)
        checked += count
        problems += found_problems
    known = {i.key for i in chosen}
    for gone in sorted({s.statement.incident for s in signed} - known):
        problems.append(
            Problem(gone, None, "signed checkpoints name it, but it is not in the database")
        )
    return checked, problems


def _good(witnesses: Witnesses | None, key: str | None, problems: list[Problem]) -> list[Signed]:
    """The checkpoints (of `key`, if given) whose signature holds; the others are problems."""
    if witnesses is None:
        return []
    good: list[Signed] = []
    for signed in dict.fromkeys(witnesses.checkpoints):  # the same copy from many rooms
        if key and signed.statement.incident != key:
            continue
        wrong = signature_problem(signed, witnesses.key)
        if wrong:
            problems.append(Problem(signed.statement.incident, None, wrong))
        else:
            good.append(signed)
    return good


def _verify_one(
    uow: UnitOfWork, incident: Incident, signed: Sequence[Signed]
) -> tuple[int, list[Problem]]:
    assert incident.id is not None
    problems: list[Problem] = []
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    chain: list[Link] = []
    setting: list[tuple[str, str]] = []  # (kind, phrase) of every entry
    key = incident.key
    for row in uow.timeline.hashed_rows(incident.id):
        seq, at, kind, platform, workspace, user, display, org, *rest = row
        text, tlp, source, phrase, version, prev_hash, hashed = rest
        count += 1
        if seq != expected_seq:
            problems.append(Problem(key, expected_seq, "missing (deleted?)"))
            expected_seq = seq
        if prev_hash != prev:
            problems.append(Problem(key, seq, "does not follow the entry before it"))
        actor = (platform, workspace, user, display)
        canonical = canonical_of_values(
            key, seq, at, kind, actor, org, text, tlp, source, phrase, version
        )
        if hash_of(prev_hash, canonical) != hashed:
            problems.append(Problem(key, seq, "altered: its hash does not match"))
        if phrase:
            setting.append((kind, phrase))
        if signed:
            chain.append(Link(seq, hashed, datetime.fromisoformat(at)))
        prev = hashed
        expected_seq += 1
    if incident.timeline_seq != expected_seq - 1 or incident.timeline_head != prev:
        problems.append(
            Problem(
                incident.key,
                incident.timeline_seq or None,
                f"the chain ends at #{expected_seq - 1}, but the incident recorded "
                f"#{incident.timeline_seq} as its last entry (entries deleted?)",
            )
        )
    problems += _row_problems(incident, setting)
    for checkpoint in sorted(signed, key=lambda s: s.statement.seq):
        problems += [Problem(incident.key, None, w) for w in against_chain(checkpoint, chain)]
    return count, problems


def _row_problems(incident: Incident, setting: list[tuple[str, str]]) -> list[Problem]:
    expected = expected_fields(_Set(kind, phrase) for kind, phrase in setting)
    row: dict[str, object] = {
        "title": incident.title,
        "severity": incident.severity,
        "tlp": incident.tlp,
        "state": incident.state,
    }
    return [
        Problem(incident.key, None, f"the incident row disagrees with its timeline: {what}")
        for what in disagreements(row, expected)
    ]


@dataclass(frozen=True)
class _Set:
    kind: str
    phrase: str
