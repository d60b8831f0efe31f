"""Bringing organisations into an incident, within the config's sharing agreements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.bot.context import Context
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import phrase
from warroom.bot.domain.sharing import agreement_cap
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.grammar import CommandError
from warroom.bot.operations import incidents
from warroom.storage.installations import installed
from warroom.storage.models import Incident
from warroom.storage.store import UnitOfWork


def check_orgs(ctx: Context, wanted: Sequence[str], *, already: Sequence[str]) -> list[str]:
    """The orgs to add, after checking each exists and has an agreement with every org
    already in the incident and with each other; a CommandError names the first problem."""
    config = ctx.services.config
    new: list[str] = []
    for org_id in wanted:
        org_id = org_id.lower()
        if config.org(org_id) is None:
            known = ", ".join(o.id for o in config.orgs) or phrase("none configured")
            raise CommandError(
                phrase("unknown organisation {org!r} (known: {known})", org=org_id, known=known)
            )
        if org_id in already or org_id in new:
            continue
        for other in (*already, *new):
            if agreement_cap(config.sharing, org_id, other) is None:
                raise CommandError(
                    phrase(
                        "no sharing agreement between {one} and {other}: "
                        "an admin must add one ([[sharing]] in the config)",
                        one=other,
                        other=org_id,
                    )
                )
        new.append(org_id)
    return new


def bring_in_orgs(
    ctx: Context, uow: UnitOfWork, incident: Incident, orgs: Sequence[str], *, at: datetime
) -> None:
    """Link each org to the incident, give its liaison the role and queue its war room."""
    assert incident.id is not None
    directory = ctx.services.directory
    for org_id in orgs:
        org = directory.get(org_id)
        assert org is not None
        if org.needs_install and not installed(uow, org.platform, org.workspace):
            raise CommandError(
                phrase(
                    "{org} cannot be brought in: warroom is not installed in its Slack "
                    "workspace {workspace} (its admin installs it at /slack/install)",
                    org=org.display,
                    workspace=org.workspace,
                )
            )
        uow.incidents.add_org(incident.id, org_id, at)
        incidents.record(
            uow,
            incident,
            at=at,
            kind=EntryKind.ORG,
            actor=ctx.actor,
            text=phrase("Brought in {org} ({platform})", org=org.display, platform=org.platform),
        )
        if org.liaison:
            liaison = UserRef(org.platform, org.user_workspace, org.liaison, org.liaison)
            incidents.assign_role(
                uow,
                incident,
                role="liaison",
                user=liaison,
                user_org=org.id,
                by=incidents.BOT,
                at=at,
                scope_org=org.id,
            )
        incidents.open_room(
            uow, incident, org=org.id, platform=org.platform, workspace=org.room_workspace, at=at
        )
