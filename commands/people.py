"""Bringing people and organisations into an incident."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import N_, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.grammar import Arg, CommandError
from warroom.bot.operations import incidents
from warroom.bot.registry import command
from warroom.commands.orgs import bring_in_orgs, check_orgs
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork


@command(
    "invite",
    N_("bring a person, or another organisation, into the incident"),
    args=(Arg("who", "target", N_("@user, or an organisation id from the config")),),
    details=N_(
        "Inviting an organisation opens and links a war room on its own platform; it "
        "needs a sharing agreement with every organisation already in the incident."
    ),
)
async def invite(ctx: Context, *, who: UserRef | str) -> Reply:
    if isinstance(who, UserRef):
        return await _invite_person(ctx, who)
    return await _invite_org(ctx, who)


async def _invite_person(ctx: Context, user: UserRef) -> Reply:
    now = ctx.services.clock.now()
    org = ctx.services.directory.org_of(user)
    if org is None:
        raise CommandError(phrase("{who} belongs to no organisation in the config", who=user.name))

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        already = uow.incidents.orgs(incident.id)
        if org not in already:  # a person is what their organisation is
            check_orgs(ctx, [org], already=already)
        if not uow.participants.ensure(incident.id, user, org, now):
            raise CommandError(
                phrase("{who} already takes part in {key}", who=user.name, key=incident.key)
            )
        incidents.record(
            uow,
            incident,
            at=now,
            kind=EntryKind.INVITE,
            actor=ctx.actor,
            text=phrase("Invited {who} ({org})", who=user.name, org=org),
            source_event_id=ctx.event_id,
        )
        incidents.invite_to_rooms(uow, incident, user, org, now)
        body = ctx.lang.format(
            "{who} invited {guest} to {key}",
            who=ctx.actor.user.name,
            guest=user.name,
            key=incident.key,
        )
        return Message(body=body, mentions=(user,))

    message = await ctx.change(work)
    await ctx.services.outbox.drain_if_queued()
    return Reply(message, public=True)


async def _invite_org(ctx: Context, org_id: str) -> Reply:
    now = ctx.services.clock.now()

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        ctx.require_lead(uow, incident)
        already = uow.incidents.orgs(incident.id)
        if org_id.lower() in already:
            raise CommandError(
                phrase("{who} already takes part in {key}", who=org_id, key=incident.key)
            )
        new = check_orgs(ctx, [org_id], already=already)
        bring_in_orgs(ctx, uow, incident, new, at=now)
        incidents.refresh_rooms(uow, incident, now)
        name = ctx.services.directory.display(new[0])
        body = ctx.lang.format(
            "{who} brought {org} into {key}", who=ctx.actor.user.name, org=name, key=incident.key
        )
        return Message(body=body)

    message = await ctx.change(work)
    await ctx.services.outbox.drain_if_queued()
    return Reply(message, public=True)
