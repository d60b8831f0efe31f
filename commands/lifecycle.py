"""Opening, updating, resolving and closing incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.bot.context import Context, Reply
from warroom.bot.domain.disclosure import Said, Where, effective_tlp
from warroom.bot.domain.language import N_, Language, Phrase, phrase
from warroom.bot.domain.messages import Field, Message
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DEFAULT_SEVERITY, DEFAULT_TLP, EntryKind, State
from warroom.bot.grammar import Arg, CommandError, Flag, Permission
from warroom.bot.operations import cards, incidents
from warroom.bot.operations.metrics import metrics
from warroom.bot.operations.visibility import Visibility, redacted
from warroom.bot.registry import command
from warroom.commands import playbooks, search
from warroom.commands.orgs import bring_in_orgs, check_orgs
from warroom.storage.models import Incident, RoomLink, TimelineEntry
from warroom.storage.store import UnitOfWork


@command(
    "open",
    N_("open an incident with a war room; you become its commander"),
    args=(Arg("title", "text", N_("what is happening, in a few words")),),
    flags=(
        Flag("sev", "sev", N_("severity, 1 (worst) to 4; default 3"), "1-4"),
        Flag("tlp", "tlp", N_("how far it may be shared; default amber"), "LEVEL"),
        Flag("org", "word", N_("another organisation to bring in"), "ORG", repeat=True),
        Flag("exercise", "bool", N_("mark it as a drill")),
        Flag("playbook", "word", N_("run a playbook from the start (see `playbooks`)"), "NAME"),
    ),
    permission=Permission.ANYONE,
    needs_incident=False,
)
async def open_incident(
    ctx: Context,
    *,
    title: str,
    sev: int | None,
    tlp: Tlp | None,
    org: list[str],
    exercise: bool,
    playbook: str | None,
) -> Reply:
    lang = ctx.lang
    chosen = playbooks.find(ctx, lang, playbook) if playbook is not None else None
    if chosen is not None:
        sev = sev or chosen.severity
        tlp = chosen.tlp if tlp is None else tlp
        org = [*org, *chosen.orgs]
    others = check_orgs(ctx, org, already=[ctx.actor.org])
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork) -> str:
        incident = incidents.open_incident(
            uow,
            actor=ctx.actor,
            origin=ctx.room,
            title=title,
            severity=sev or DEFAULT_SEVERITY,
            tlp=DEFAULT_TLP if tlp is None else tlp,  # TLP:CLEAR is 0, and falsy
            exercise=exercise,
            at=now,
            event_id=ctx.event_id,
        )
        bring_in_orgs(ctx, uow, incident, others, at=now)
        if chosen is not None:
            playbooks.apply(ctx, uow, incident, chosen, at=now)
        return incident.key

    key = await ctx.transaction(work)
    await ctx.services.outbox.drain_if_queued()
    rooms = await ctx.services.store.transaction(lambda uow: _room_ids(uow, key))
    if rooms:
        body = lang.format("You are the commander. War room: {rooms}", rooms=", ".join(rooms))
    else:
        body = lang.gettext(
            "You are the commander. War room: being created (the platform is slow to answer)"
        )
    if chosen is None and (hint := playbooks.suggestion(ctx, lang, title)):
        body += "\n" + hint
    await search.suggest(ctx, title)  # queued now, delivered after this answer
    heading = lang.format("Opened {key}: {title}", key=key, title=redacted(title))
    return Reply(Message(title=heading, body=body))


def _room_ids(uow: UnitOfWork, key: str) -> list[str]:
    incident = uow.incidents.by_key(key)
    assert incident is not None and incident.id is not None
    return [link.room_id for link in uow.rooms.for_incident(incident.id)]


@command(
    "update",
    N_("post a status update (resets the reminder clock)"),
    args=(Arg("text", "text", N_("where things stand")),),
    flags=(Flag("state", "state", N_("move to a new state"), "STATE"),),
)
async def update(ctx: Context, *, text: str, state: str | None) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        if state:
            ctx.require_lead(uow, incident)
        if incident.state == State.RESOLVED and state in (None, State.RESOLVED):
            raise CommandError(
                phrase(
                    "{key} is resolved; `update --state monitoring` reopens it", key=incident.key
                )
            )
        said = Said(text, effective_tlp(text, Tlp.parse(incident.tlp)), ctx.actor.org)
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.UPDATE,
            actor=ctx.actor,
            text=text,
            source_event_id=ctx.event_id,
        )
        incidents.acknowledge(incident, now)
        moved = bool(state and state != incident.state)
        if state and moved:
            old = incident.state
            incidents.set_state(incident, state, now)
            incidents.record(
                uow,
                incident,
                at=now,
                kind=EntryKind.STATE,
                actor=ctx.actor,
                text=phrase("State {old} → {new}", old=old, new=state),
                tlp=Tlp.CLEAR,  # a state every card shows says nothing secret
            )
            playbooks.state_tasks(ctx, uow, incident, at=now)
        incidents.refresh_rooms(uow, incident, now)
        seen = Visibility.of(uow, ctx.services.config, incident)

        def for_room(link: RoomLink) -> Message | None:
            shown = seen.show(said, link.org, Where.ROOM)
            if shown is None and not moved:
                return None
            return _update(ctx, incident, shown, said, ctx.services.config.language(link.org))

        incidents.announce(uow, incident, for_room, now, exclude=ctx.room)
        return _update(ctx, incident, redacted(text), said, ctx.lang)

    return Reply(await ctx.change(work), public=True)


def _update(
    ctx: Context, incident: Incident, text: str | None, said: Said, lang: Language
) -> Message:
    """A status update as one room sees it: without its text where that is withheld."""
    return Message(
        title=lang.format(
            "{key} status update from {who}", key=incident.key, who=ctx.actor.user.name
        ),
        body=text or "",
        fields=(
            Field(lang.gettext("State"), incident.state),
            Field(lang.gettext("Severity"), f"SEV{incident.severity}"),
        ),
        tlp=(said.tlp if text is not None else Tlp.parse(incident.tlp)).label,
    )


@command(
    "sev",
    N_("change the severity (1 is the worst)"),
    args=(Arg("level", "sev", N_("1 to 4")),),
    permission=Permission.LEAD,
)
async def severity(ctx: Context, *, level: int) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        if incident.severity == level:
            raise CommandError(
                phrase("{key} is already SEV{level}", key=incident.key, level=level)
            )
        text = phrase("Severity SEV{old} → SEV{new}", old=incident.severity, new=level)
        incident.severity = level
        return _changed(ctx, uow, incident, kind=EntryKind.SEVERITY, text=text, at=now)

    return Reply(await ctx.change(work), public=True)


@command(
    "tlp",
    N_("change how far the incident may be shared"),
    args=(Arg("level", "tlp", N_("clear, green, amber, amber+strict or red")),),
    permission=Permission.LEAD,
)
async def tlp(ctx: Context, *, level: Tlp) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        if incident.tlp == level.label:
            raise CommandError(
                phrase("{key} is already TLP:{level}", key=incident.key, level=level.label)
            )
        text = phrase("TLP:{old} → TLP:{new}", old=incident.tlp, new=level.label)
        incident.tlp = level.label
        return _changed(ctx, uow, incident, kind=EntryKind.TLP, text=text, at=now)

    return Reply(await ctx.change(work), public=True)


def _changed(
    ctx: Context,
    uow: UnitOfWork,
    incident: Incident,
    *,
    kind: EntryKind,
    text: Phrase,
    at: datetime,
) -> Message:
    """Record a change of setting, refresh every room's card and tell the other rooms."""
    incidents.record(
        uow,
        incident,
        at=at,
        kind=kind,
        actor=ctx.actor,
        text=text,
        source_event_id=ctx.event_id,
        tlp=Tlp.CLEAR,  # a setting every card shows says nothing secret
    )
    incidents.refresh_rooms(uow, incident, at)

    def said(lang: Language) -> Message:
        return Message(
            title=f"{incident.key}: {text.say(lang)}",
            body=lang.format("by {who}", who=ctx.actor.user.name),
            tlp=Tlp.CLEAR.label,
        )

    incidents.announce(
        uow,
        incident,
        lambda link: said(ctx.services.config.language(link.org)),
        at,
        exclude=ctx.room,
    )
    return said(ctx.lang)


@command("status", N_("show the incident's summary card"))
async def status(ctx: Context) -> Reply:
    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        seen = Visibility.of(uow, ctx.services.config, incident)
        updates = uow.timeline.of_kind(incident.id, EntryKind.UPDATE)
        return cards.room_card(seen, uow.roles.current(incident.id), updates, ctx.actor.org)

    return Reply(await ctx.read(work))


@command(
    "list",
    N_("list the open incidents your organisation takes part in"),
    permission=Permission.ANYONE,
    needs_incident=False,
)
async def list_incidents(ctx: Context) -> Reply:
    def work(uow: UnitOfWork) -> list[tuple[Incident, str]]:
        config, org = ctx.services.config, ctx.actor.org
        return [
            (i, Visibility.of(uow, config, i).title(org, Where.VIEW))
            for i in uow.incidents.linked_to_org(org)
        ]

    return Reply(cards.incident_list(await ctx.services.store.transaction(work), ctx.lang))


@command(
    "resolve",
    N_("resolve the incident: stops reminders, posts metrics and the timeline"),
    args=(Arg("text", "text", N_("how it ended"), optional=True),),
    permission=Permission.LEAD,
)
async def resolve(ctx: Context, *, text: str | None) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        if incident.state == State.RESOLVED:
            raise CommandError(
                phrase("{key} is already resolved; `close` archives it", key=incident.key)
            )
        incidents.set_state(incident, State.RESOLVED, now)
        incident.summary = text or ""
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.RESOLVED,
            actor=ctx.actor,
            text=phrase("Resolved: {text}", text=text) if text else phrase("Resolved"),
            source_event_id=ctx.event_id,
        )
        playbooks.state_tasks(ctx, uow, incident, at=now)
        incidents.refresh_rooms(uow, incident, now)
        seen = Visibility.of(uow, ctx.services.config, incident)
        entries = uow.timeline.entries(incident.id)

        def for_room(link: RoomLink) -> Message:
            return final_report(seen, entries, link.org)

        incidents.announce(uow, incident, for_room, now, exclude=ctx.room)
        return final_report(seen, entries, ctx.actor.org)

    return Reply(await ctx.change(work), public=True)


def final_report(seen: Visibility, entries: Sequence[TimelineEntry], org: str) -> Message:
    """The timeline and metrics as `org`'s rooms may see them."""
    shown = seen.entries(entries, org, Where.ROOM)
    return cards.final_report(
        seen.incident,
        shown,
        metrics(seen.incident),
        title=seen.title(org, Where.ROOM),
        tlp=max(seen.highest_tlp(e for e, _ in shown), Tlp.parse(seen.incident.tlp)),
        lang=seen.language(org),
    )


@command(
    "close", N_("close a resolved incident and archive its war rooms"), permission=Permission.LEAD
)
async def close(ctx: Context) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> None:
        assert incident.id is not None
        if incident.state != State.RESOLVED:
            raise CommandError(
                phrase(
                    "{key} is {state}: `resolve` it first", key=incident.key, state=incident.state
                )
            )
        incidents.set_state(incident, State.CLOSED, now)
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.CLOSED,
            actor=ctx.actor,
            text=phrase("Closed"),
            source_event_id=ctx.event_id,
        )
        incidents.refresh_rooms(uow, incident, now)

        def for_room(link: RoomLink) -> Message:
            lang = ctx.services.config.language(link.org)
            return Message(
                title=lang.format("{key} is closed", key=incident.key),
                body=lang.format(
                    "Closed by {who}. This room is now archived.", who=ctx.actor.user.name
                ),
            )

        incidents.announce(uow, incident, for_room, now)
        checkpointer = ctx.services.checkpointer
        if checkpointer is not None:  # the closing head reaches the rooms before they close
            checkpointer.take_now(uow, incident)
        incidents.archive_rooms(uow, incident, now)

    await ctx.change(work)
    lang = ctx.lang
    return Reply(
        Message(
            title=lang.gettext("Closed"), body=lang.gettext("The war rooms are being archived.")
        )
    )
