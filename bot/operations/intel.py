"""Threat intelligence from the timeline: observables found in what was said (ioc-finder),
stored per incident with the entries they were said in, each reader's view of them through
the disclosure rule, and the notice that one was seen in another incident."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple, Protocol

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Said, Where
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.observables import (
    DEFAULT_PAP,
    ObservableError,
    ObservableType,
    Status,
    detect,
    normalised,
    not_an_indicator,
    own_domains_of,
    reads_as_version,
    refang,
)
from warroom.bot.domain.redact import REDACTED, redact
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import ioc_words
from warroom.bot.operations.effects import Post, queue
from warroom.bot.operations.visibility import Visibility, parse_tlp, redacted
from warroom.storage.models import Incident, Observable, ObservableSighting, TimelineEntry
from warroom.storage.store import UnitOfWork

# What people say: messages and their edits, notes, updates, tasks, the resolve text.
SCANNED = (
    EntryKind.MESSAGE,
    EntryKind.EDITED,
    EntryKind.NOTE,
    EntryKind.UPDATE,
    EntryKind.TASK,
    EntryKind.RESOLVED,
)
SIGHTED_IN = (*SCANNED, EntryKind.IOC)  # `ioc add` is a sighting too


@dataclass(frozen=True)
class Found:
    type: ObservableType
    value: str


def find(
    text: str, own_domains: Collection[str] = (), *, reader: ioc_words.Reader = ioc_words.SHORTCUTS
) -> list[Found]:
    """The indicators in `text`, refanged and in their stored form, in a stable order.

    Secrets are redacted first, so none is ever kept as an indicator. Each distinct word
    (indicators hold no spaces) is read by `reader`: by default ioc-finder with the
    shortcuts of `ioc_words`, which the tests hold equal to `ioc_words.LIBRARY`."""
    if not reader.may_hold(text):
        return []
    # a secret is no indicator (a bearer token reads as an MD5): scanned with them redacted
    text = refang(redact(text)[0].replace(REDACTED, "REDACTED"))
    own = own_domains if isinstance(own_domains, frozenset) else frozenset(own_domains)
    out: list[Found] = []
    for word in dict.fromkeys(text.split()):
        for kind, raw in reader.read(word.strip(_EDGES)):
            item = _indicator(kind, raw, own)
            if item is None:
                continue
            if kind is ObservableType.IPV4 and reads_as_version(text, item.value):
                continue
            if item not in out:
                out.append(item)
    return sorted(out, key=lambda f: _ORDER[f.type])


@lru_cache(maxsize=65536)
def _indicator(kind: ObservableType, raw: str, own_domains: frozenset[str]) -> Found | None:
    """What ioc-finder read, in its stored form, or None when it is no indicator; once per
    process for each reading (a room names the same addresses again and again)."""
    try:
        value = normalised(kind, raw)
    except ObservableError:
        return None
    if not_an_indicator(kind, value, own_domains) is not None:
        return None
    return Found(kind, value)


_EDGES = "()[]{}<>\"'`,;!?*_~"  # punctuation and chat markup around a word
_ORDER = {kind: n for n, kind in enumerate(ioc_words.FOUND_AS.values())}


def find_all(texts: Sequence[str], own_domains: Collection[str]) -> list[list[Found]]:
    """`find` for a batch (what a worker process is handed)."""
    return [find(text, own_domains) for text in texts]


class ScannedEntry(NamedTuple):
    """What extraction needs of an entry: its text, and what a sighting in it records."""

    seq: int
    text: str
    at: datetime
    org: str
    tlp: str


@dataclass(frozen=True)
class Pending:
    """Entries of an incident extraction has not read: `upto` is where they end (the
    timeline's end, or a batch's last entry when more follow)."""

    incident_id: int
    upto: int
    entries: tuple[ScannedEntry, ...]

    @property
    def texts(self) -> list[str]:
        return [entry.text for entry in self.entries]


def pending(
    uow: UnitOfWork, incident_id: int, *, limit: int | None = None, after: int = 0
) -> Pending | None:
    """The entries past the incident's extraction cursor, or past `after` when that is
    further (a batch read while the one before it is still being stored); the first `limit`
    of them: the rest is a later batch's."""
    incident = uow.incidents.get(incident_id)
    if incident is None:
        return None
    scanned = max(uow.observables.scanned_to(incident_id), after)
    if scanned >= incident.timeline_seq:
        return None
    upto = incident.timeline_seq
    rows = uow.observables.said_after(incident_id, scanned, SCANNED, limit=limit)
    entries = tuple(ScannedEntry(*r) for r in rows if r[0] <= upto)
    if limit is not None and len(rows) == limit:
        upto = entries[-1].seq if entries else upto  # the cursor stops where this batch did
    return Pending(incident_id, upto, entries)


def store_found(
    uow: UnitOfWork, config: Config, work: Pending, found: Sequence[Sequence[Found]]
) -> int:
    """Record what extraction found in `work`'s entries and move the cursor past them; run
    again (a crash, another process) it adds nothing twice. The number of new sightings.
    A batch is a few statements, whatever its size: new observables and sightings are
    inserted as rows, one statement each, and only the ones other incidents hold too are
    read back for their correlation notice."""
    incident = uow.incidents.get(work.incident_id, for_update=True)
    if incident is None or incident.id is None:
        return 0
    scanned = uow.observables.scanned_to(incident.id)
    if scanned >= work.upto:
        return 0
    # the timeline is append-only: what `pending` read of an entry is what is stored
    said = [
        (entry, items)
        for entry, items in zip(work.entries, found, strict=True)
        if entry.seq > scanned and items
    ]
    values = {item.value for _, items in said for item in items}
    held = uow.observables.held(incident.id, values)
    with uow.no_autoflush():
        known = {(t.type, t.value): t for t in (_Tally(*row) for row in held.counts)}
        recorded = uow.observables.sighted_at(incident.id, {entry.seq for entry, _ in said})
        new: dict[tuple[str, str], _Tally] = {}
        seen_in: list[tuple[tuple[str, str], ScannedEntry]] = []
        for entry, items in said:
            for item in items:
                key = (item.type.value, item.value)
                observable = known.get(key) or new.get(key)
                if observable is None:
                    observable = new[key] = _Tally.first(entry, item)
                elif observable.id is not None and (observable.id, entry.seq) in recorded:
                    continue
                _count(observable, entry)
                seen_in.append((key, entry))
    uow.observables.update_counts(
        [t.counts() for t in known.values() if t.times_seen > t.was_seen]
    )
    ids_of = {key: o.id for key, o in known.items()}
    ids_of |= uow.observables.insert_rows(incident.id, [t.row(incident.id) for t in new.values()])
    sightings = [
        {
            "observable_id": ids_of[key],
            "seq": entry.seq,
            "incident_id": incident.id,
            "org": entry.org,
            "tlp": _label(entry.tlp),
            "at": entry.at,
        }
        for key, entry in seen_in
    ]
    uow.observables.insert_sighting_rows(sightings)
    told: set[tuple[str, str, str]] = set()
    for key, entry in seen_in:
        if key in held.elsewhere and (*key, entry.org) not in told:
            told.add((*key, entry.org))
            stored = uow.observables.get(incident.id, *key)
            assert stored is not None
            correlate(uow, config, incident, stored, entry.org)
    uow.observables.mark_scanned(incident.id, work.upto)
    return len(sightings)


class _Tallied(Protocol):
    """What a sighting counts on: a stored observable, or one found in this batch."""

    id: int | None
    times_seen: int
    first_seq: int
    last_seq: int
    first_seen_at: datetime
    last_seen_at: datetime
    tlp: str


@dataclass
class _Tally:
    """An observable's counts as a batch changes them: one found in the batch, inserted as
    a row, or a stored one, whose counts are updated as a row (no ORM object either way)."""

    type: str
    value: str
    first_seq: int
    last_seq: int
    first_seen_at: datetime
    last_seen_at: datetime
    tlp: str
    times_seen: int = 0
    id: int | None = None
    source_org: str = ""

    def __post_init__(self) -> None:
        self.was_seen = self.times_seen

    @classmethod
    def first(cls, entry: ScannedEntry, item: Found) -> _Tally:
        tlp = _label(entry.tlp)
        return cls(
            item.type.value, item.value, entry.seq, entry.seq, entry.at, entry.at, tlp
        ).said_by(entry.org)

    def said_by(self, org: str) -> _Tally:
        self.source_org = org
        return self

    def counts(self) -> dict[str, object]:
        return {
            "observable_id": self.id,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "times_seen": self.times_seen,
            "first_seen_at": self.first_seen_at,
            "last_seen_at": self.last_seen_at,
            "tlp": self.tlp,
        }

    def row(self, incident_id: int) -> dict[str, object]:
        return {
            "incident_id": incident_id,
            "type": self.type,
            "value": self.value,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "times_seen": self.times_seen,
            "first_seen_at": self.first_seen_at,
            "last_seen_at": self.last_seen_at,
            "source_org": self.source_org,
            "tlp": self.tlp,
            "pap": DEFAULT_PAP.label,
        }


def _new_observable(
    incident_id: int, entry: TimelineEntry, item: Found, pap: str = ""
) -> Observable:
    return Observable(
        incident_id=incident_id,
        type=item.type.value,
        value=item.value,
        first_seq=entry.seq,
        last_seq=entry.seq,
        times_seen=0,
        first_seen_at=entry.at,
        last_seen_at=entry.at,
        source_org=entry.actor_org,
        tlp=parse_tlp(entry.tlp).label,
        pap=pap or DEFAULT_PAP.label,
    )


def _count(observable: _Tallied, entry: ScannedEntry | TimelineEntry) -> None:
    """One more sighting of `observable`, in `entry`."""
    observable.times_seen += 1
    if entry.seq >= observable.last_seq:
        observable.last_seq, observable.last_seen_at = entry.seq, entry.at
    if entry.seq < observable.first_seq:
        observable.first_seq, observable.first_seen_at = entry.seq, entry.at
    # seen under several TLPs, the least restrictive decides how far it may go
    if entry.tlp != observable.tlp:  # a label as stored: the same one changes nothing
        observable.tlp = min(parse_tlp(entry.tlp), parse_tlp(observable.tlp)).label


@lru_cache(maxsize=64)
def _label(tlp: str) -> str:
    """An entry's TLP as a sighting stores it (a batch reads the same few again and again)."""
    return parse_tlp(tlp).label


def _sighting(observable: Observable, entry: TimelineEntry) -> ObservableSighting:
    assert observable.id is not None
    return ObservableSighting(
        observable_id=observable.id,
        seq=entry.seq,
        incident_id=observable.incident_id,
        org=entry.actor_org,
        tlp=parse_tlp(entry.tlp).label,
        at=entry.at,
    )


def sighted(
    uow: UnitOfWork, incident: Incident, entry: TimelineEntry, item: Found, *, pap: str = ""
) -> tuple[Observable, bool]:
    """The observable `item` of the incident, seen in `entry` (one said by hand); whether
    that sighting is new."""
    assert incident.id is not None
    observable = uow.observables.get(incident.id, item.type, item.value)
    if observable is None:
        observable = uow.observables.add(_new_observable(incident.id, entry, item, pap))
    assert observable.id is not None
    if (observable.id, entry.seq) in uow.observables.sighted_at(incident.id, [entry.seq]):
        return observable, False
    _count(observable, entry)
    uow.save(observable)
    uow.observables.add_all([_sighting(observable, entry)])
    return observable, True


@dataclass(frozen=True)
class Seen:
    """An observable as one reader may see it: only from the entries it may see."""

    observable: Observable
    value: str  # secrets redacted
    tlp: Tlp  # the least restrictive TLP it was said under where the reader may see it
    said_by: str  # the organisation that said it so
    first_seq: int
    last_seq: int
    first_at: datetime
    last_at: datetime
    times: int

    @property
    def active(self) -> bool:
        return self.observable.status == Status.ACTIVE


@dataclass(frozen=True)
class IntelView:
    """One incident's observables and where each was said, read once per request."""

    seen: Visibility
    observables: Sequence[Observable]
    sightings: dict[int, list[ObservableSighting]]
    entries: dict[int, TimelineEntry]

    @classmethod
    def of(
        cls, uow: UnitOfWork, config: Config, incident: Incident, seen: Visibility | None = None
    ) -> IntelView:
        """`seen`: the incident as the rule reads it, if the caller has read it already."""
        assert incident.id is not None
        sightings = uow.observables.sightings(incident.id)
        seqs = {s.seq for found in sightings.values() for s in found}
        entries = uow.observables.entries_at(incident.id, seqs)  # only where one was seen
        return cls(
            seen=seen or Visibility.of(uow, config, incident),
            observables=uow.observables.for_incident(incident.id),
            sightings=sightings,
            entries={e.seq: e for e in entries if e.kind in SIGHTED_IN},
        )

    def shown(
        self, observable: Observable, reader: str | None, where: Where = Where.VIEW
    ) -> Seen | None:
        """`observable` as `reader` may see it there (None: the whole record), or None:
        withheld. Each sighting is asked of the one rule, at its entry's TLP (after edits)
        or at the floor `ioc tlp` set, whichever is higher."""
        floor = parse_tlp(observable.tlp_floor) if observable.tlp_floor else Tlp.CLEAR
        visible: list[tuple[ObservableSighting, Tlp, str]] = []
        for sighting in self.sightings.get(observable.id or 0, []):
            entry = self.entries.get(sighting.seq)
            if entry is None:
                continue
            said = self.seen.said(entry)
            tlp = max(said.tlp, floor)
            if reader is None or self.seen.may_see(
                Said(observable.value, tlp, said.org), reader, where
            ):
                visible.append((sighting, tlp, said.org))
        if not visible:
            return None
        least = min(visible, key=lambda v: v[1])
        return Seen(
            observable=observable,
            value=shown_value(observable),
            tlp=least[1],
            said_by=least[2],
            first_seq=visible[0][0].seq,
            last_seq=visible[-1][0].seq,
            first_at=visible[0][0].at,
            last_at=visible[-1][0].at,
            times=len(visible),
        )

    def for_reader(
        self,
        reader: str | None,
        where: Where = Where.VIEW,
        *,
        kind: ObservableType | None = None,
        active_only: bool = False,
    ) -> list[Seen]:
        shown = []
        for observable in self.observables:
            if kind is not None and observable.type != kind:
                continue
            if active_only and observable.status != Status.ACTIVE:
                continue
            seen = self.shown(observable, reader, where)
            if seen is not None:
                shown.append(seen)
        return shown

    def find(self, value: str, reader: str) -> list[Seen]:
        """The observables of that value the reader may see (a value may be of two types)."""
        return [
            s
            for s in (self.shown(o, reader) for o in self.observables if o.value == value)
            if s is not None
        ]


def valid(raw: str, kind: ObservableType | None, own: Collection[str]) -> Found:
    """A value typed by hand, checked: of `kind`, else of the type it reads as; an
    ObservableError says why it is not an indicator."""
    kind = kind or detect(raw)
    value = normalised(kind, raw)
    reason = not_an_indicator(kind, value, own)
    if reason is not None:
        raise ObservableError(reason, value)
    return Found(kind, value)


def shown_value(observable: Observable) -> str:
    """The value as views show it: secrets redacted. Only a URL or an address can hide one
    (a token in a query, a password in `user:pass@`); addresses, names, hashes and CVE ids
    are shown as they are."""
    if observable.type in (ObservableType.URL, ObservableType.EMAIL):
        return redacted(observable.value)
    return observable.value


def lookup_value(raw: str, kind: ObservableType | None) -> list[tuple[ObservableType, str]]:
    """The stored forms `raw` may take: of `kind`, else of every type it is valid as."""
    kinds = [kind] if kind is not None else list(ObservableType)
    found = []
    for each in kinds:
        try:
            found.append((each, normalised(each, raw)))
        except ObservableError:
            continue
    return found


def correlate(
    uow: UnitOfWork, config: Config, incident: Incident, observable: Observable, org: str
) -> None:
    """Tell `org`'s rooms, once, the other incidents where `org` may see this observable
    too. An incident it may not see is never named, hinted at or counted."""
    if not org or org in observable.told_orgs.split() or observable.status != Status.ACTIVE:
        return
    assert incident.id is not None
    others = [
        o
        for o in uow.observables.elsewhere(observable.type, observable.value, incident.id)
        if o.status == Status.ACTIVE
    ]
    if not others:
        return
    sightings = []
    for other in others:
        other_incident = uow.incidents.get(other.incident_id)
        if other_incident is None or other_incident.exercise != incident.exercise:
            continue  # a drill's indicators and a real incident's never meet
        view = IntelView.of(uow, config, other_incident)
        seen = view.shown(other, org)
        if seen is not None:
            sightings.append((other_incident, seen))
    if not sightings:
        return
    observable.told_orgs = " ".join([*observable.told_orgs.split(), org])
    uow.save(observable)
    here = Visibility.of(uow, config, incident)
    said = Said(observable.value, parse_tlp(observable.tlp), org)
    lang = config.language(org)
    for link in uow.rooms.for_incident(incident.id):
        if link.org != org:
            continue
        value = here.show(said, org, Where.ROOM)
        if value is None:
            continue
        body = seen_elsewhere(lang, value, sightings)
        message = Message(body=body, tlp=said.tlp.label)
        queue(uow, Post(link.room, message), at=observable.last_seen_at, incident_id=incident.id)


def seen_elsewhere(lang: Language, value: str, sightings: Iterable[tuple[Incident, Seen]]) -> str:
    """`203.0.113.9 was seen in INC-3 (2026-11-20, SEV2, resolved)`."""
    where = [
        lang.format(
            "{key} ({date}, SEV{severity}, {state})",
            key=incident.key,
            date=lang.local(seen.first_at).date().isoformat(),
            severity=incident.severity,
            state=incident.state,
        )
        for incident, seen in sightings
    ]
    return "🔎 " + lang.format(
        "{value} was seen in {incidents}", value=value, incidents=", ".join(where)
    )


def scanner(config: Config) -> Callable[[Sequence[str]], list[list[Found]]]:
    """Extraction as configured, in this process."""
    own = own_domains(config)
    return lambda texts: find_all(texts, own)


def own_domains(config: Config) -> frozenset[str]:
    return own_domains_of(config.intel.own_domains)


def export_entries(view: IntelView, as_org: str | None) -> list[dict[str, object]]:
    """`observables[]` of the JSON export: what `as_org` may see (None: all), false
    positives included and marked."""

    def iso(at: datetime) -> str:
        return at.isoformat().replace("+00:00", "Z")

    return [
        {
            "type": seen.observable.type,
            "value": seen.value,
            "tlp": seen.tlp.label,
            "pap": seen.observable.pap,
            "status": seen.observable.status,
            "said_by": seen.said_by,
            "times_seen": seen.times,
            "first_seq": seen.first_seq,
            "last_seq": seen.last_seq,
            "first_seen_at": iso(seen.first_at),
            "last_seen_at": iso(seen.last_at),
        }
        for seen in view.for_reader(as_org)
    ]
