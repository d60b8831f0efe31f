"""The context a command handler runs in: who, where, and transactions bound to its incident."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from warroom.bot.domain.events import Actor, RoomRef, UserRef
from warroom.bot.domain.language import Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import LEAD_ROLES, IncidentChanged, State
from warroom.bot.grammar import Command, CommandError, Permission
from warroom.bot.operations.services import Services
from warroom.bot.registry import Registry
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork

T = TypeVar("T")


class DuplicateEvent(Exception):
    """This inbound event was handled before; the core drops it silently."""


@dataclass(frozen=True)
class Reply:
    message: Message
    public: bool = False


@dataclass
class Context:
    services: Services
    registry: Registry
    actor: Actor
    room: RoomRef
    event_id: str
    command: Command
    incident_key: str | None = None
    incident_id: int | None = None  # set once the command has found its incident
    in_its_room: bool = False  # typed in a war room of that incident (not elsewhere, --id)
    changes: list[IncidentChanged] = field(default_factory=list)  # what its changes did

    @property
    def lang(self) -> Language:
        """The caller's organisation's language: answers and errors are said in it."""
        return self.services.config.language(self.actor.org)

    def parse_user(self, token: str) -> UserRef | None:
        adapter = self.services.adapters.get(self.room.platform)
        return adapter.parse_user(token, workspace=self.actor.user.workspace) if adapter else None

    async def transaction(self, work: Callable[[UnitOfWork], T]) -> T:
        """A change not bound to an incident (`open`); the event is claimed in it."""

        def run(uow: UnitOfWork) -> T:
            self._claim(uow)
            result = work(uow)
            self.changes += uow.changes
            return result

        return await self.services.store.transaction(run)

    async def change(
        self,
        work: Callable[[UnitOfWork, Incident], T],
        *,
        light: bool = False,
        closed_too: bool = False,
    ) -> T:
        """A change to this command's incident, which is locked, checked and not closed
        (`closed_too`: what outlives the incident, reviews and follow-ups, may change it then).
        `light`: a small input the store may handle on the event loop (Store.transaction)."""

        def run(uow: UnitOfWork) -> T:
            incident = self._incident(uow, for_update=True)
            if incident.state == State.CLOSED and not closed_too:
                raise CommandError(
                    phrase("{key} is closed; nothing can change it now", key=incident.key)
                )
            self._authorise(uow, incident, self.command.permission)
            self._claim(uow)
            result = work(uow, incident)
            self.changes += uow.changes
            return result

        return await self.services.store.transaction(run, light=light)

    async def read(self, work: Callable[[UnitOfWork, Incident], T]) -> T:
        def run(uow: UnitOfWork) -> T:
            incident = self._incident(uow)
            self._authorise(uow, incident, self.command.permission)
            return work(uow, incident)

        return await self.services.store.transaction(run)

    def require_lead(self, uow: UnitOfWork, incident: Incident) -> None:
        self._authorise(uow, incident, Permission.LEAD)

    def _claim(self, uow: UnitOfWork) -> None:
        if not uow.events.claim(self.room.platform, self.event_id, self.services.clock.now()):
            raise DuplicateEvent(self.event_id)

    def _incident(self, uow: UnitOfWork, *, for_update: bool = False) -> Incident:
        if self.incident_key:
            incident = uow.incidents.by_key(self.incident_key, for_update=for_update)
            if incident is None:
                raise CommandError(phrase("there is no incident {key}", key=self.incident_key))
        else:
            incident = uow.incidents.by_room(self.room, for_update=for_update)
            if incident is None:
                raise CommandError(
                    phrase("this is not a war room: run it in one, or add --id INC-N"),
                    usage=self.command.usage(),
                )
        self.incident_id = incident.id
        here = uow.incidents.by_room(self.room) if self.incident_key else incident
        self.in_its_room = here is not None and here.id == incident.id
        return incident

    def _authorise(self, uow: UnitOfWork, incident: Incident, needed: Permission) -> None:
        if needed is Permission.ANYONE:
            return
        assert incident.id is not None
        user = self.actor.user
        held = uow.roles.held_by(incident.id, user)
        if needed is Permission.LEAD:
            if not held & set(LEAD_ROLES):
                raise CommandError(
                    phrase(
                        "not allowed: only the commander or deputy of {key} may {verb}",
                        key=incident.key,
                        verb=self.command.verb,
                    )
                )
            return
        if (
            held
            or uow.participants.find(incident.id, user)
            or self._in_private_warroom(uow, incident)
        ):
            return
        raise CommandError(
            phrase(
                "not allowed: you are not a participant of {key}; "
                "ask someone in it to `invite @{name}`",
                key=incident.key,
                name=user.name,
            )
        )

    def _in_private_warroom(self, uow: UnitOfWork, incident: Incident) -> bool:
        """Slack and Matrix war rooms admit only invited people, so being there is enough."""
        adapter = self.services.adapters.get(self.room.platform)
        if adapter is None or not adapter.private_rooms:
            return False
        here = uow.incidents.by_room(self.room)
        return here is not None and here.id == incident.id
