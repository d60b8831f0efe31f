"""One incident's timeline as the disclosure rule reads it, for the views that show it.

Every view (cards, answers, reports, digests, exports) builds one `Visibility` per request
and asks it for each text; it asks the domain's one rule (`domain/disclosure.py`) and knows
what the rule needs from storage: the incident's organisations and agreements, who opened
it (the title's sayer), each entry's effective TLP after edits, and each org's rooms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import (
    SHARED_RECORD,
    Said,
    Sharing,
    Where,
    effective_tlp,
    may_see,
    withheld_title,
)
from warroom.bot.domain.language import ENGLISH, Language, Phrase
from warroom.bot.domain.redact import redacted as redacted  # the views import it from here
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind
from warroom.storage.models import Incident, TimelineEntry
from warroom.storage.store import UnitOfWork

EDIT_OF = re.compile(r"^edited #(\d+): ")
PIN_OF = re.compile(r"^📌 #(\d+) ")


_STORED = {tlp.label: tlp for tlp in Tlp}  # as stored: most labels read are these


def parse_tlp(label: str) -> Tlp:
    stored = _STORED.get(label)
    if stored is not None:
        return stored
    try:
        return Tlp.parse(label)
    except ValueError:
        return Tlp.RED  # an unknown marking is treated as the most restrictive


@dataclass(frozen=True)
class Visibility:
    incident: Incident
    sharing: Sharing
    home: str  # the organisation that opened the incident: its title's sayer
    edited_to: dict[int, Tlp]  # entry seq -> the TLP its latest edit gave it
    multi_room_orgs: frozenset[str]  # orgs with several war rooms: one is not all they say
    # each reader's language: what the bot itself put on the timeline is said in it
    language: Callable[[str], Language] = field(default=lambda _org: ENGLISH)

    @classmethod
    def of(cls, uow: UnitOfWork, config: Config, incident: Incident) -> Visibility:
        assert incident.id is not None
        orgs = uow.incidents.orgs(incident.id)
        home = uow.timeline.first_sayer(incident.id)
        rooms = uow.rooms.orgs_of(incident.id)
        return cls(
            incident=incident,
            sharing=Sharing(config.sharing, frozenset(orgs)),
            home=home or (orgs[0] if orgs else ""),
            edited_to=edits_give(uow.timeline.edits(incident.id)),
            multi_room_orgs=frozenset(o for o in set(rooms) if rooms.count(o) > 1),
            language=config.language,
        )

    def said(self, entry: TimelineEntry) -> Said:
        """The entry as the rule reads it. An edit gives the entry it edits its TLP; a
        highlight follows what it highlights."""
        tlp = self.edited_to.get(entry.seq, parse_tlp(entry.tlp))
        if entry.kind == EntryKind.PINNED and (match := PIN_OF.match(entry.text)):
            tlp = self.edited_to.get(int(match.group(1)), tlp)
        return Said(entry.text, tlp, entry.actor_org or SHARED_RECORD)

    def where(self, said: Said, reader: str, where: Where) -> Where:
        """A post in an org's only war room is a post where that org speaks."""
        if where is Where.ROOM and said.org == reader and reader not in self.multi_room_orgs:
            return Where.SAID_ROOM
        return where

    def may_see(self, said: Said, reader: str, where: Where) -> bool:
        return may_see(said, reader, self.where(said, reader, where), self.sharing)

    def show(self, said: Said, reader: str, where: Where) -> str | None:
        """The text as `reader` may see it there (secrets redacted), or None."""
        return redacted(said.text) if self.may_see(said, reader, where) else None

    def text(self, entry: TimelineEntry, reader: str, where: Where) -> str | None:
        """The rule decides on the entry as stored (the English); what the bot said itself is
        then shown in the reader's language."""
        shown = self.show(self.said(entry), reader, where)
        if shown is None or not entry.phrase:
            return shown
        return said_in(entry, self.language(reader))

    def entries(
        self, entries: Iterable[TimelineEntry], reader: str, where: Where
    ) -> list[tuple[TimelineEntry, str]]:
        """The entries `reader` may see there, each with the text to show."""
        shown = []
        for entry in entries:
            text = self.text(entry, reader, where)
            if text is not None:
                shown.append((entry, text))
        return shown

    def latest(
        self, entries: Sequence[TimelineEntry], reader: str, where: Where
    ) -> tuple[TimelineEntry, str] | None:
        """The newest of `entries` that `reader` may see there (a card's last update)."""
        for entry in reversed(entries):
            text = self.text(entry, reader, where)
            if text is not None:
                return entry, text
        return None

    def highest_tlp(self, entries: Iterable[TimelineEntry]) -> Tlp:
        """The banner over a view: the highest TLP of what it holds."""
        return max((self.said(e).tlp for e in entries), default=Tlp.CLEAR)

    @property
    def title_said(self) -> Said:
        incident = self.incident
        return Said(
            incident.title, effective_tlp(incident.title, parse_tlp(incident.tlp)), self.home
        )

    def title(self, reader: str, where: Where) -> str:
        """`INC-1: the title`, or `INC-1 (title withheld: TLP:RED)`."""
        said = self.title_said
        shown = self.show(said, reader, where)
        key = self.incident.key
        if shown is None:
            return withheld_title(key, said.tlp).say(self.language(reader))
        return f"{key}: {shown}"

    def bare_title(self, reader: str, where: Where) -> str | None:
        """The title alone (room names), or None where it is withheld."""
        return self.show(self.title_said, reader, where)

    def view_title(self, reader: str, lang: Language) -> str:
        """The title alone in a view, or `INC-N (title withheld: TLP:...)` in `lang`."""
        shown = self.bare_title(reader, Where.VIEW)
        if shown is not None:
            return shown
        return withheld_title(self.incident.key, self.title_said.tlp).say(lang)


def said_in(entry: TimelineEntry, lang: Language) -> str:
    """The entry's text in `lang` (what the bot said itself; people's words as said), secrets
    redacted; the rule is not asked: for views that hold the whole timeline."""
    if not entry.phrase:
        return redacted(entry.text)
    return redacted(Phrase.from_json(entry.phrase).say(lang))


def edited_to(edits: Sequence[TimelineEntry]) -> dict[int, Tlp]:
    """An edit gives the entry it edits its own TLP: the latest edit wins."""
    return edits_give((edit.text, edit.tlp) for edit in edits)


def edits_give(edits: Iterable[tuple[str, str]]) -> dict[int, Tlp]:
    """`edited_to` of edits read as (text, tlp), oldest first."""
    found: dict[int, Tlp] = {}
    for text, tlp in edits:
        match = EDIT_OF.match(text)
        if match:
            found[int(match.group(1))] = parse_tlp(tlp)
    return found
