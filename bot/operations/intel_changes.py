"""What people change about indicators (`ioc add|fp|tlp`) and the exports handed out: each
a timeline entry on the hash chain, inside the command's unit of work.

An entry about an indicator names its value, so it is said at no lower a TLP than the
indicator: by whoever said every sighting of it, at the highest of those; when others said
it too, at AMBER+STRICT, for the changer's own organisation only, so that nobody passes
another organisation's indicator on under their own agreements."""

from __future__ import annotations

from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.events import Actor
from warroom.bot.domain.language import phrase
from warroom.bot.domain.observables import Pap, Status
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents, intel
from warroom.bot.operations.visibility import parse_tlp
from warroom.storage.models import Incident, Observable
from warroom.storage.store import UnitOfWork


def add(
    uow: UnitOfWork,
    config: Config,
    incident: Incident,
    *,
    actor: Actor,
    found: intel.Found,
    tlp: Tlp,
    pap: Pap | None,
    note: str,
    at: datetime,
    event_id: str = "",
) -> Observable:
    """An indicator said by hand: its entry is its sighting, at the TLP given."""
    assert incident.id is not None
    values = {"value": found.value, "type": found.type.value}
    text = (
        phrase("Indicator added: {value} ({type}): {note}", note=note, **values)
        if note
        else phrase("Indicator added: {value} ({type})", **values)
    )
    seq = incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.IOC,
        actor=actor,
        text=text,
        source_event_id=event_id,
        tlp=tlp,
    )
    entry = uow.observables.entries_after(incident.id, seq - 1, (EntryKind.IOC,))[0]
    observable, _ = intel.sighted(uow, incident, entry, found)
    observable.status = Status.ACTIVE  # said again by hand: no longer a false positive
    if pap is not None:
        observable.pap = pap.label
    if note:
        observable.note = note
    uow.save(observable)
    intel.correlate(uow, config, incident, observable, actor.org)
    return observable


def about_tlp(uow: UnitOfWork, observable: Observable, actor: Actor) -> Tlp:
    """The TLP of an entry that names `observable`, changed by `actor` (see above)."""
    sightings = uow.observables.sightings(observable.incident_id).get(observable.id or 0, [])
    floor = parse_tlp(observable.tlp_floor) if observable.tlp_floor else Tlp.CLEAR
    if all(s.org == actor.org for s in sightings):
        return max([floor, *(parse_tlp(s.tlp) for s in sightings)])
    return max([Tlp.AMBER_STRICT, *(parse_tlp(s.tlp) for s in sightings if s.org == actor.org)])


def false_positive(
    uow: UnitOfWork, incident: Incident, observable: Observable, *, actor: Actor, at: datetime
) -> Tlp:
    """Mark `observable` a false positive; the TLP its entry was said at."""
    observable.status = Status.FALSE_POSITIVE
    uow.save(observable)
    tlp = about_tlp(uow, observable, actor)
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.IOC,
        actor=actor,
        text=phrase("Indicator {value} marked a false positive", value=observable.value),
        tlp=tlp,
    )
    return tlp


def set_floor(
    uow: UnitOfWork,
    incident: Incident,
    observable: Observable,
    *,
    actor: Actor,
    level: Tlp,
    at: datetime,
) -> Tlp:
    """`ioc tlp`: never shared below `level` from now on; the TLP its entry was said at."""
    tlp = max(about_tlp(uow, observable, actor), level)
    observable.tlp_floor = level.label
    uow.save(observable)
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.IOC,
        actor=actor,
        text=phrase(
            "Indicator {value} set to TLP:{level}", value=observable.value, level=level.label
        ),
        tlp=tlp,
    )
    return tlp


def exported(
    uow: UnitOfWork,
    incident: Incident,
    *,
    form: str,
    as_org: str | None,
    digest: str,
    at: datetime,
) -> None:
    """An export handed out, with the SHA-256 of its bytes. One made for an organisation
    is on its record (AMBER+STRICT: its own); the whole record's, on every organisation's
    record but posted nowhere (RED, said for the incident)."""
    who = as_org or ""
    actor = Actor(incidents.BOT.user, who)
    text = (
        phrase("{form} export for {org}, SHA-256 {digest}", form=form, org=as_org, digest=digest)
        if as_org
        else phrase(
            "{form} export of the whole record, SHA-256 {digest}", form=form, digest=digest
        )
    )
    incidents.record(
        uow,
        incident,
        at=at,
        kind=EntryKind.EXPORT,
        actor=actor,
        text=text,
        tlp=Tlp.AMBER_STRICT if as_org else Tlp.RED,
    )
