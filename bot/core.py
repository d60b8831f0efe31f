"""The core: turns inbound events into commands and timeline entries, and answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Protocol

from warroom.bot.config import Config
from warroom.bot.context import Context, DuplicateEvent, Reply
from warroom.bot.domain.disclosure import effective_tlp
from warroom.bot.domain.events import (
    PIN_EMOJI,
    Actor,
    CommandReceived,
    Inbound,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    ReactionAdded,
)
from warroom.bot.domain.language import Language, Phrase, Quantity, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.telemetry import UNKNOWN_VERB, CommandOutcome
from warroom.bot.domain.text import clipped, well_formed
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import EntryKind, IncidentChanged, State
from warroom.bot.grammar import Command, CommandError, parse, tokenize
from warroom.bot.operations import incidents, relay
from warroom.bot.operations.effects import Notify, Post, queue
from warroom.bot.operations.services import Services
from warroom.bot.operations.visibility import Visibility, parse_tlp
from warroom.bot.registry import Registry
from warroom.bot.runtime.settling import Settling
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)


class IncidentListener(Protocol):
    """Told what a command changed, once it has answered (reminders and digests plug in)."""

    async def after_changes(self, changes: Sequence[IncidentChanged]) -> None: ...
    async def after_message(self, event: MessagePosted, incident_id: int) -> None: ...


class Core:
    def __init__(
        self,
        services: Services,
        registry: Registry,
        listeners: Sequence[IncidentListener] = (),
        *,
        settling: Settling | None = None,
    ) -> None:
        self.services = services
        self.registry = registry
        self.listeners = list(listeners)
        self.settling = settling or Settling()  # what follows an answer, off its path

    async def handle(self, event: Inbound) -> None:
        """The sink every adapter feeds. One failing event never stops the next."""
        try:
            event = self._bounded(event)
            if isinstance(event, CommandReceived):
                await self._command(event)
            elif isinstance(event, MessagePosted):
                await self._message(event)
            elif isinstance(event, ReactionAdded):
                await self._reaction(event)
            elif isinstance(event, MessageEdited):
                await self._edited(event)
            elif isinstance(event, MessageDeleted):
                await self._deleted(event)
        except Exception:
            log.exception("failed to handle %s %s", type(event).__name__, event.event_id)
            await self._say_privately(event.actor, event, self._apology(event.actor))

    def _lang(self, actor: Actor) -> Language:
        return self.services.config.language(actor.org)

    def _apology(self, actor: Actor) -> Message:
        lang = self._lang(actor)
        return Message(
            body=lang.gettext("Sorry, something went wrong handling that; it has been logged.")
        )

    def _bounded(self, event: Inbound) -> Inbound:
        """A message as it is captured: valid text, cut to the size limit with a marker."""
        if isinstance(event, MessagePosted | MessageEdited):
            limit = self.services.config.limits.message_chars
            return replace(event, text=clipped(well_formed(event.text), limit))
        return event

    async def _command(self, event: CommandReceived) -> None:
        limit = self.services.config.limits.message_chars
        if len(event.text) > limit:
            length, most = Quantity(len(event.text)), Quantity(limit)
            said = self._lang(event.actor).format(
                "that command is {length} characters long; the limit is {limit} "
                "(limits.message_chars)",
                length=length,
                limit=most,
            )
            error = Message(body=f"⚠ {said}")
            await self._say_privately(event.actor, event, error)
            return
        tokens = tokenize(event.text)
        verb = tokens[0].lower() if tokens else "help"
        command = self.registry.get(verb)
        if command is None:
            self.services.telemetry.command_finished(UNKNOWN_VERB, CommandOutcome.UNKNOWN)
            lang = self._lang(event.actor)
            error = Message(
                body="⚠ " + lang.format("unknown command {verb!r}", verb=verb),
                footer=lang.gettext("try `help`"),
            )
            await self._say_privately(event.actor, event, error)
            return
        ctx = Context(
            self.services, self.registry, event.actor, event.room, event.event_id, command
        )
        try:
            kwargs = parse(command, tokens[1:], ctx.parse_user)
            if command.needs_incident:
                ctx.incident_key = kwargs.pop("id")
            reply: Reply = await command.handler(ctx, **kwargs)
        except CommandError as exc:
            self.services.telemetry.command_finished(command.verb, CommandOutcome.REFUSED)
            await self._say_privately(event.actor, event, _error_message(command, exc, ctx.lang))
            return
        except DuplicateEvent:
            log.info("event %s was handled before; dropped", event.event_id)
            return
        except Exception:
            self.services.telemetry.command_finished(command.verb, CommandOutcome.FAILED)
            raise
        self.services.telemetry.command_finished(command.verb, CommandOutcome.OK)
        if reply.public and ctx.incident_id is not None and not ctx.in_its_room:
            # aimed at another incident with --id: its text is not for the people here
            reply = Reply(reply.message, public=False)
        await self._answer(event, reply)
        await self.settling.run(partial(self._after_answer, ctx.changes))

    async def _after_answer(self, changes: Sequence[IncidentChanged]) -> None:
        if changes:
            for listener in self.listeners:
                await listener.after_changes(changes)
        await self.services.outbox.drain_if_queued()

    async def settled(self) -> None:
        """Wait until the work that follows the answers given so far has run."""
        await self.settling.settled()

    async def _message(self, event: MessagePosted) -> None:
        """A message in a war room goes on the timeline, its sender takes part, and it is
        relayed to the incident's other rooms as TLP allows: all in one transaction."""
        now = self.services.clock.now()
        config = self.services.config

        def work(uow: UnitOfWork) -> tuple[int, relay.RelayOutcome] | None:
            incident = _live_incident(uow, event, now)
            if incident is None or incident.id is None:
                return None
            uow.participants.ensure(incident.id, event.actor.user, event.actor.org, now)
            incidents.record(
                uow,
                incident,
                at=now,
                kind=EntryKind.MESSAGE,
                actor=event.actor,
                text=event.text,
                source_event_id=event.ref.message_id,
            )
            return incident.id, relay.plan_relay(uow, config, incident, event, now)

        done = await self.services.store.transaction(work)
        if done is None:
            return
        incident_id, outcome = done
        self.services.telemetry.relay_decided(relay.decisions(outcome))
        await self._tell_withheld(event, outcome)
        await self.services.outbox.drain_if_queued()
        for listener in self.listeners:
            await listener.after_message(event, incident_id)

    async def _edited(self, event: MessageEdited) -> None:
        now = self.services.clock.now()
        config = self.services.config

        def work(uow: UnitOfWork) -> relay.RelayOutcome | None:
            incident = _live_incident(uow, event, now)
            if incident is None or incident.id is None:
                return None
            original = uow.timeline.by_source(incident.id, event.target.message_id)
            text = (
                phrase("edited #{seq}: {text}", seq=original.seq, text=event.text)
                if original
                else phrase("edited a message: {text}", text=event.text)
            )
            incidents.record(
                uow,
                incident,
                at=now,
                kind=EntryKind.EDITED,
                actor=event.actor,
                text=text,
                source_event_id=event.event_id,
            )
            return relay.plan_edit(uow, config, incident, event, now)

        outcome = await self.services.store.transaction(work)
        if outcome is not None:
            self.services.telemetry.relay_decided(relay.decisions(outcome))
            await self._tell_withheld(event, outcome)
            await self.services.outbox.drain_if_queued()

    async def _deleted(self, event: MessageDeleted) -> None:
        """A captured message someone removed stays on the timeline, the removal is noted,
        and its relayed copies are deleted too."""
        now = self.services.clock.now()

        def work(uow: UnitOfWork) -> None:
            incident = uow.incidents.by_room(event.room, for_update=True)
            if incident is None or incident.id is None:
                return
            source = uow.timeline.by_source(incident.id, event.target.message_id)
            if source is None or not uow.events.claim(event.room.platform, event.event_id, now):
                return
            copies = relay.plan_delete(uow, incident, event.target, now)
            who = source.actor_display or source.actor_user_id
            incidents.record(
                uow,
                incident,
                at=now,
                kind=EntryKind.DELETED,
                actor=event.actor,
                text=phrase(
                    "removed a message of {who} (#{seq}) from the chat; "
                    "{copies} relayed copies deleted",
                    who=who,
                    seq=source.seq,
                    copies=copies,
                )
                if copies
                else phrase(
                    "removed a message of {who} (#{seq}) from the chat", who=who, seq=source.seq
                ),
                source_event_id=event.event_id,
                tlp=parse_tlp(source.tlp),  # the removal of a message is as secret as it
            )

        await self.services.store.transaction(work)
        await self.services.outbox.drain_if_queued()

    async def _tell_withheld(
        self, event: MessagePosted | MessageEdited, outcome: relay.RelayOutcome
    ) -> None:
        """The sender learns privately where their message did not go; after an edit, where
        it goes now too (a raised marking withdraws copies, a lowered one sends them)."""
        notice = relay.withheld_notice(outcome, self._lang(event.actor))
        if notice is not None:
            await self._say_privately(event.actor, event, notice)

    async def _reaction(self, event: ReactionAdded) -> None:
        """A 📌 on a message puts it on the timeline as a highlight: a captured message by
        its entry, one never captured by the text its platform gave with the 📌."""
        if event.emoji not in PIN_EMOJI:
            return
        now = self.services.clock.now()
        config = self.services.config

        def work(uow: UnitOfWork) -> None:
            incident = _live_incident(uow, event, now)
            if incident is None or incident.id is None:
                return
            actor, text, tlp = pinned(uow, config, incident, event)
            incidents.record(
                uow,
                incident,
                at=now,
                kind=EntryKind.PINNED,
                actor=actor,
                text=text,
                source_event_id=event.event_id,
                tlp=tlp,
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
                now = self.services.clock.now()
                await self.services.store.transaction(
                    lambda uow: queue(uow, Post(event.room, reply.message), at=now)
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
            return
        except Exception:
            log.warning("answering %s privately failed; queued", event.event_id, exc_info=True)
        now = self.services.clock.now()
        await self.services.store.transaction(
            lambda uow: queue(uow, Notify(event.room, actor.user, message), at=now)
        )


def _live_incident(uow: UnitOfWork, event: Inbound, now: datetime) -> Incident | None:
    """The open incident whose war room `event` happened in, once per event id."""
    incident = uow.incidents.by_room(event.room, for_update=True)
    if incident is None or incident.state == State.CLOSED:
        return None
    if not uow.events.claim(event.room.platform, event.event_id, now):
        return None
    return incident


def pinned(
    uow: UnitOfWork, config: Config, incident: Incident, event: ReactionAdded
) -> tuple[Actor, Phrase, Tlp | None]:
    """A highlight's sayer, text and TLP: those of the message it highlights (a 📌 on a
    relayed copy highlights its original). Someone of another org than the sayer's names the
    entry and does not copy its text, so nothing passes under the highlighter's agreements."""
    assert incident.id is not None
    target = event.target
    copy = uow.relays.copy_of(target.room, target.message_id)
    if copy is not None:
        target = copy.source
    source = uow.timeline.by_source(incident.id, target.message_id)
    if source is None:
        return uncaptured(config, incident, event)
    said = Visibility.of(uow, config, incident).said(source)
    who = source.actor_display or source.actor_user_id
    if event.actor.org != said.org:
        highlight = phrase("📌 #{seq} of {who} ({org})", seq=source.seq, who=who, org=said.org)
        return event.actor, highlight, said.tlp
    quoted = phrase("📌 #{seq} {who}: {text}", seq=source.seq, who=who, text=source.text)
    return event.actor, quoted, said.tlp


def uncaptured(
    config: Config, incident: Incident, event: ReactionAdded
) -> tuple[Actor, Phrase, Tlp | None]:
    """A highlight of a message warroom never captured, with its text as the platform gave
    it: crediting its author and entered by the highlighter, as for a captured message, at
    the text's own marking, else the incident's TLP, as if it were said now. A highlighter
    of another org is named in the text instead: the entry stays the author's org's to
    share, so nothing passes under the highlighter's agreements."""
    quoted = event.quoted
    if quoted is None:
        return event.actor, phrase("📌 message {id}", id=event.target.message_id), None
    text = clipped(well_formed(quoted.text), config.limits.message_chars)
    tlp = effective_tlp(text, parse_tlp(incident.tlp))
    author = quoted.author.user.name
    if quoted.author.org == event.actor.org:
        return event.actor, phrase("📌 message of {who}: {text}", who=author, text=text), tlp
    highlight = phrase(
        "📌 message of {who}, highlighted by {by}: {text}",
        who=author,
        by=event.actor.user.name,
        text=text,
    )
    return quoted.author, highlight, tlp


def _error_message(command: Command, exc: CommandError, lang: Language) -> Message:
    """The one-line reason in the caller's language, and the usage line as it is typed."""
    usage = exc.usage or command.usage()
    return Message(body=f"⚠ {exc.said(lang)}", footer=lang.format("usage: {usage}", usage=usage))
