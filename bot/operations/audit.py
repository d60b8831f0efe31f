"""`warroom audit verify`: walk each timeline's hash chain and report what does not fit."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.storage.chain import entry_hash
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


def verify(uow: UnitOfWork, key: str | None = None) -> tuple[int, list[Problem]]:
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
    for incident in chosen:
        count, found_problems = _verify_one(uow, incident)
        checked += count
        problems += found_problems
    return checked, problems


def _verify_one(uow: UnitOfWork, incident: Incident) -> tuple[int, list[Problem]]:
    assert incident.id is not None
    problems: list[Problem] = []
    prev = GENESIS_HASH
    expected_seq = 1
    entries = uow.timeline.entries(incident.id)
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(Problem(incident.key, expected_seq, "missing (deleted?)"))
            expected_seq = entry.seq
        if entry.prev_hash != prev:
            problems.append(
                Problem(incident.key, entry.seq, "does not follow the entry before it")
            )
        if entry_hash(entry.prev_hash, entry, incident.key) != entry.hash:
            problems.append(Problem(incident.key, entry.seq, "altered: its hash does not match"))
        prev = entry.hash
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
    return len(entries), problems
