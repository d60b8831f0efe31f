"""Who does what: assigning and listing roles."""

from __future__ import annotations

from warroom.bot.context import Context, Reply
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import N_, Language, phrase
from warroom.bot.domain.messages import Message
from warroom.bot.domain.vocabulary import ROLES
from warroom.bot.grammar import Arg, CommandError, Permission
from warroom.bot.operations import cards, incidents
from warroom.bot.registry import command
from warroom.storage.models import Incident, RoomLink
from warroom.storage.store import UnitOfWork

ROLE_CHOICES = " | ".join(ROLES)  # typed as they are in every language


@command(
    "role",
    N_("give a role to someone (the previous holder hands over)"),
    args=(Arg("role", "role", ROLE_CHOICES), Arg("user", "user", N_("who takes it"))),
    permission=Permission.LEAD,
    details=N_("There is one holder per role, and one liaison per organisation."),
)
async def role(ctx: Context, *, role: str, user: UserRef) -> Reply:
    now = ctx.services.clock.now()
    org = ctx.services.directory.org_of(user)
    if org is None:
        raise CommandError(phrase("{who} belongs to no organisation in the config", who=user.name))

    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        scope = org if role == "liaison" else ""
        current = uow.roles.holder(incident.id, role, scope)
        if current and (current.platform, current.workspace, current.user_id) == (
            user.platform,
            user.workspace,
            user.user_id,
        ):
            raise CommandError(
                phrase(
                    "{who} is already {role} of {key}", who=user.name, role=role, key=incident.key
                )
            )
        previous = incidents.assign_role(
            uow,
            incident,
            role=role,
            user=user,
            user_org=org,
            by=ctx.actor,
            at=now,
            scope_org=scope,
        )
        incidents.refresh_rooms(uow, incident, now)
        was = (previous.display or previous.user_id) if previous else None

        def said(lang: Language) -> Message:
            values = {"who": user.name, "role": role, "key": incident.key}
            if was is None:
                body = lang.format("{who} is now {role} of {key}", **values)
            else:
                body = lang.format(
                    "{who} is now {role} of {key} (taking over from {was})", was=was, **values
                )
            return Message(body=body, mentions=(user,))

        def for_room(link: RoomLink) -> Message:
            return said(ctx.services.config.language(link.org))

        incidents.announce(uow, incident, for_room, now, exclude=ctx.room)
        return said(ctx.lang)

    return Reply(await ctx.change(work), public=True)


@command("roles", N_("list who holds which role"))
async def roles(ctx: Context) -> Reply:
    def work(uow: UnitOfWork, incident: Incident) -> Message:
        assert incident.id is not None
        return cards.roles_message(incident, uow.roles.current(incident.id), ctx.lang)

    return Reply(await ctx.read(work))
