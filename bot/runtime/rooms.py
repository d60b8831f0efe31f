"""War-room provisioning and upkeep, delivered through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from warroom.bot.domain.disclosure import Where
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import RoomSpec
from warroom.bot.domain.vocabulary import LEAD_ROLES, EntryKind
from warroom.bot.operations import cards, checkpoints
from warroom.bot.operations.effects import CreateRoom, SyncRooms, queue
from warroom.bot.operations.incidents import room_name
from warroom.bot.operations.visibility import Visibility
from warroom.bot.runtime.outbox import Claimed, OutboxDispatcher
from warroom.storage.models import RoomLink
from warroom.storage.store import UnitOfWork


def plan_room(
    dispatcher: OutboxDispatcher, uow: UnitOfWork, item: Claimed, effect: CreateRoom
) -> RoomSpec | None:
    """The room to create, as the incident stands; None if it was created before a crash.
    Run in the transaction that queued it too (`Action.prepare`), so the platform's create
    call comes straight after the commit."""
    incident = uow.incidents.get(item.incident_id or 0)
    assert incident is not None and incident.id is not None
    org = effect.org
    if any(link.org == org for link in uow.rooms.for_incident(incident.id)):
        return None  # delivered before a crash; the link is already stored
    roles = uow.roles.current(incident.id)
    seen = Visibility.of(uow, dispatcher.config, incident)
    invitees = tuple(
        UserRef(p.platform, p.workspace, p.user_id, p.display)
        for p in uow.participants.for_incident(incident.id)
        if p.org == org and p.platform == item.platform
    )
    topic = cards.topic(incident, roles, seen.language(org))
    return named(seen, topic, org, effect.workspace, invitees)


async def create_room(dispatcher: OutboxDispatcher, item: Claimed, effect: CreateRoom) -> None:
    incident_id = item.incident_id
    assert incident_id is not None
    org = effect.org
    prepared = dispatcher.prepared(item)
    spec = prepared if isinstance(prepared, RoomSpec) else None
    if spec is None:  # a retry, or a process that did not queue it
        spec = await dispatcher.store.transaction(
            partial(plan_room, dispatcher, item=item, effect=effect)
        )
    if spec is None:
        return
    room = await dispatcher.adapter(item.platform).create_room(spec)

    def link(uow: UnitOfWork) -> None:
        now = dispatcher.clock.now()
        uow.state.set(heading_key(room), spec.heading)
        uow.rooms.add(
            RoomLink(
                incident_id=incident_id,
                org=org,
                platform=room.platform,
                workspace=room.workspace,
                room_id=room.room_id,
                topic=spec.topic,
                created_at=now,
            )
        )
        queue(uow, SyncRooms(), incident_id=incident_id, at=now)

    await dispatcher.store.transaction(link)


def named(
    seen: Visibility, topic: str, org: str, workspace: str, invitees: tuple[UserRef, ...] = ()
) -> RoomSpec:
    """A room of `org` as the rule lets it name the incident: the title it may see, or the
    withheld-title heading (and a name of the key alone)."""
    title = seen.bare_title(org, Where.ROOM)
    return RoomSpec(
        name=room_name(seen.incident.key, title or ""),
        topic=topic,
        org=org,
        workspace=workspace,
        invitees=invitees,
        incident_key=seen.incident.key,
        title=title or "",
        heading=seen.title(org, Where.ROOM),
    )


def heading_key(room: RoomRef) -> str:
    return f"room-heading:{room.platform}:{room.workspace}:{room.room_id}"


@dataclass(frozen=True)
class _RoomState:
    link_id: int
    room: RoomRef
    card_message_id: str | None
    topic: str
    card: Message  # as the room's organisation may see it
    spec: RoomSpec  # its name and heading as they should be now
    named_as: str | None  # the heading it was last given (None: not known)
    leads: tuple[UserRef, ...] = ()
    # a new room's copy of the latest checkpoint, posted after its first card
    checkpoint: Message | None = None


async def sync_rooms(dispatcher: OutboxDispatcher, item: Claimed, effect: SyncRooms) -> None:
    """Bring every room's topic and pinned summary card in line with the incident, each in
    its organisation's language."""
    incident_id = item.incident_id
    assert incident_id is not None

    def read(uow: UnitOfWork) -> list[_RoomState]:
        incident = uow.incidents.get(incident_id)
        assert incident is not None and incident.id is not None
        roles = uow.roles.current(incident.id)
        seen = Visibility.of(uow, dispatcher.config, incident)
        updates = uow.timeline.of_kind(incident.id, EntryKind.UPDATE)
        leads = tuple(u for r in LEAD_ROLES if (u := cards.holder(roles, r)))
        rooms = []
        for link in uow.rooms.for_incident(incident.id):
            topic = cards.topic(incident, roles, seen.language(link.org))
            spec = named(seen, topic, link.org, link.workspace)
            before = uow.state.get(heading_key(link.room))
            rooms.append(
                _RoomState(
                    link.id or 0,
                    link.room,
                    link.card_message_id,
                    link.topic,
                    cards.room_card(seen, roles, updates, link.org),
                    spec,
                    before,
                    tuple(u for u in leads if u.platform == link.platform),
                    None
                    if link.card_message_id
                    else checkpoints.latest_line(uow, incident.id, seen.language(link.org)),
                )
            )
        return rooms

    for state in await dispatcher.store.transaction(read):
        card, topic = state.card, state.spec.topic
        adapter = dispatcher.adapter(state.room.platform)
        if state.topic != topic:
            await adapter.set_topic(state.room, topic)
            await dispatcher.store.transaction(partial(_save, link_id=state.link_id, topic=topic))
        if state.named_as != state.spec.heading:
            if state.named_as is not None:  # the title became visible or withheld
                await adapter.rename(state.room, state.spec)
            remember = partial(_remember, room=state.room, heading=state.spec.heading)
            await dispatcher.store.transaction(remember)
        await adapter.set_leads(state.room, state.leads)
        if state.card_message_id:
            await adapter.edit(MessageRef(state.room, state.card_message_id), card)
            continue
        ref = await adapter.post(state.room, card)
        await dispatcher.store.transaction(
            partial(_save, link_id=state.link_id, card=ref.message_id)
        )
        await adapter.pin(state.room, ref)
        if state.checkpoint is not None:  # the head as it stood when the room was made
            await adapter.post(state.room, state.checkpoint)


def _remember(uow: UnitOfWork, *, room: RoomRef, heading: str) -> None:
    uow.state.set(heading_key(room), heading)


def _save(
    uow: UnitOfWork, *, link_id: int, topic: str | None = None, card: str | None = None
) -> None:
    link = uow.rooms.get(link_id)
    if link is None:
        return
    if topic is not None:
        link.topic = topic
    if card is not None:
        link.card_message_id = card
    uow.save(link)
