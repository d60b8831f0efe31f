"""The core: turns inbound events into commands and timeline entries, and answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from warroom.bot import incidents
from warroom.bot.events import (
    Actor,
    CommandReceived,
    Inbound,
    MessagePosted,
    MessageRedacted,
    ReactionAdded,
)
from warroom.bot.messages import Message
from warroom.bot.outbox import enqueue_post
from warroom.bot.services import Services
from warroom.commands import REGISTRY
from warroom.commands.context import Context, DuplicateEvent, Reply
from warroom.commands.grammar import Command, CommandError, parse, tokenize
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)
PIN_EMOJI = ("pushpin", "📌", "📍", "round_pushpin")
APOLOGY = Message(body="Sorry, something went wrong handling that; it has been logged.")


class IncidentListener(Protocol):
    """Told after a command changed or read an incident (reminders and relay plug in here)."""

    async def after_command(self, verb: str, incident_id: int | None) -> None: ...
    async def after_message(self, event: MessagePosted, incident_id: int) -> None: ...


class Core:
    def __init__(self, services: Services, listeners: Sequence[IncidentListener] = ()) -> None:
        self.services = services
        self.listeners = list(listeners)

    async def handle(self, event: Inbound) -> None:
        """The sink every adapter feeds. One failing event never stops the next."""
        try:
            if isinstance(event, CommandReceived):
                await self._command(event)
            elif isinstance(event, MessagePosted):
                await self._message(event)
            elif isinstance(event, ReactionAdded):
                await self._reaction(event)
            elif isinstance(event, MessageRedacted):
                await self._redaction(event)
        except Exception:
            log.exception("failed to handle %s %s", type(event).__name__, event.event_id)
            await self._say_privately(event.actor, event, APOLOGY)

    async def _command(self, event: CommandReceived) -> None:
        tokens = tokenize(event.text)
        verb = tokens[0].lower() if tokens else "help"
        command = REGISTRY.get(verb)
        if command is None:
            error = Message(body=f"⚠ unknown command {verb!r}", footer="try `help`")
            await self._say_privately(event.actor, event, error)
            return
        ctx = Context(self.services, event.actor, event.room, event.event_id, command)
        try:
            kwargs = parse(command, tokens[1:], ctx.parse_user)
            if command.needs_incident:
                ctx.incident_key = kwargs.pop("id")
            reply: Reply = await command.handler(ctx, **kwargs)
        except CommandError as exc:
            await self._say_privately(event.actor, event, _error_message(command, exc))
            return
        except DuplicateEvent:
            log.info("event %s was handled before; dropped", event.event_id)
            return
        await self._answer(event, reply)
        for listener in self.listeners:
            await listener.after_command(command.verb, ctx.incident_id)
        await self.services.outbox.drain()

    async def _message(self, event: MessagePosted) -> None:
        """A message in a war room goes on the timeline; its sender takes part."""
        now = self.services.clock.now()

        def work(uow: UnitOfWork) -> int | None:
            incident = uow.incidents.by_room(event.room, for_update=True)
            if incident is None or incident.state == "closed" or incident.id is None:
                return None
            if not uow.events.claim(event.room.platform, event.event_id, now):
                return None
            uow.participants.ensure(incident.id, event.actor.user, event.actor.org, now)
            incidents.record(
                uow,
                incident,
                at=now,
                kind="message",
                actor=event.actor,
                text=event.text,
                source_event_id=event.event_id,
            )
            return incident.id

        incident_id = await self.services.store.transaction(work)
        if incident_id is not None:
            for listener in self.listeners:
                await listener.after_message(event, incident_id)

    async def _reaction(self, event: ReactionAdded) -> None:
        """A 📌 on a captured message puts it on the timeline as a highlight."""
        if event.emoji not in PIN_EMOJI:
            return
        now = self.services.clock.now()

        def work(uow: UnitOfWork) -> None:
            incident = uow.incidents.by_room(event.room, for_update=True)
            if incident is None or incident.state == "closed" or incident.id is None:
                return
            if not uow.events.claim(event.room.platform, event.event_id, now):
                return
            source = uow.timeline.by_source(incident.id, event.target.message_id)
            said = (
                f"{source.actor_display or source.actor_user_id}: {source.text}"
                if source
                else f"message {event.target.message_id}"
            )
            incidents.record(
                uow,
                incident,
                at=now,
                kind="pinned",
                actor=event.actor,
                text=f"📌 {said}",
                source_event_id=event.event_id,
            )

        await self.services.store.transaction(work)

    async def _redaction(self, event: MessageRedacted) -> None:
        """A captured message that was removed stays on the timeline; the removal is noted."""
        now = self.services.clock.now()

        def work(uow: UnitOfWork) -> None:
            incident = uow.incidents.by_room(event.room, for_update=True)
            if incident is None or incident.id is None:
                return
            source = uow.timeline.by_source(incident.id, event.target.message_id)
            if source is None or not uow.events.claim(event.room.platform, event.event_id, now):
                return
            incidents.record(
                uow,
                incident,
                at=now,
                kind="redacted",
                actor=event.actor,
                text=f"removed a message of {source.actor_display or source.actor_user_id} "
                f"(#{source.seq}) from the chat",
                source_event_id=event.event_id,
            )

        await self.services.store.transaction(work)

    async def _answer(self, event: CommandReceived, reply: Reply) -> None:
        if reply.public:
            adapter = self.services.adapters.get(event.room.platform)
            if adapter is not None:
                try:
                    await adapter.post(event.room, reply.message)
                    return
                except Exception:
                    log.warning(
                        "reply to %s failed; queued for retry", event.event_id, exc_info=True
                    )
                await self.services.store.transaction(
                    lambda uow: _queue_reply(uow, event, reply.message, self.services)
                )
            return
        await self._say_privately(event.actor, event, reply.message)

    async def _say_privately(self, actor: Actor, event: Inbound, message: Message) -> None:
        adapter = self.services.adapters.get(event.room.platform)
        if adapter is None:
            log.error("no adapter for %s to answer %s", event.room.platform, event.event_id)
            return
        try:
            await adapter.notify(actor.user, event.room, message)
        except Exception:
            log.exception("could not answer %s privately", event.event_id)


def _error_message(command: Command, exc: CommandError) -> Message:
    usage = exc.usage or command.usage()
    return Message(body=f"⚠ {exc}", footer=f"usage: {usage}")


def _queue_reply(
    uow: UnitOfWork, event: CommandReceived, message: Message, services: Services
) -> None:
    enqueue_post(uow, event.room, message, at=services.clock.now())
