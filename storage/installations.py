"""Installations (the port's `Installations`) and OAuth states in warroom's database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from warroom.bot.domain.port import Installation
from warroom.storage.models import Installation as InstallationRow
from warroom.storage.models import InstallState
from warroom.storage.store import Store, UnitOfWork


class InstallationRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, installation: Installation) -> None:
        """Add or replace (a reinstall) the workspace's installation."""
        row = self.session.get(InstallationRow, (installation.platform, installation.workspace))
        row = row or InstallationRow(
            platform=installation.platform,
            workspace=installation.workspace,
            installed_at=installation.installed_at,
            sealed=installation.sealed,
        )
        row.name = installation.name
        row.installed_by = installation.installed_by
        row.installed_at = installation.installed_at
        row.sealed = installation.sealed
        self.session.add(row)

    def find(self, platform: str, workspace: str) -> Installation | None:
        row = self.session.get(InstallationRow, (platform, workspace))
        return _value(row) if row is not None else None

    def every(self, platform: str) -> list[Installation]:
        query = select(InstallationRow).where(InstallationRow.platform == platform)
        return [
            _value(row)
            for row in self.session.exec(query.order_by(col(InstallationRow.workspace)))
        ]

    def remove(self, platform: str, workspace: str) -> bool:
        gone = self.session.exec(
            delete(InstallationRow).where(
                col(InstallationRow.platform) == platform,
                col(InstallationRow.workspace) == workspace,
            )
        )
        return bool(gone.rowcount)

    def issue_state(self, platform: str, state: str, expires_at: datetime) -> None:
        self.session.add(InstallState(state=state, platform=platform, expires_at=expires_at))

    def consume_state(self, platform: str, state: str, now: datetime) -> bool:
        """True once for a state issued and not yet expired; expired ones are cleared."""
        self.session.exec(delete(InstallState).where(col(InstallState.expires_at) <= now))
        used = self.session.exec(
            delete(InstallState).where(
                col(InstallState.state) == state, col(InstallState.platform) == platform
            )
        )
        return bool(used.rowcount)


def _value(row: InstallationRow) -> Installation:
    return Installation(
        platform=row.platform,
        workspace=row.workspace,
        sealed=row.sealed,
        installed_at=row.installed_at,
        name=row.name,
        installed_by=row.installed_by,
    )


def installed(uow: UnitOfWork, platform: str, workspace: str) -> bool:
    """Whether the workspace has installed warroom (a command checks it in its transaction)."""
    return InstallationRepo(uow.session).find(platform, workspace) is not None


class StoredInstallations:
    """The port's `Installations`, each call one transaction of its own."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def save(self, installation: Installation) -> None:
        await self.store.transaction(lambda uow: InstallationRepo(uow.session).save(installation))

    async def find(self, platform: str, workspace: str) -> Installation | None:
        return await self.store.transaction(
            lambda uow: InstallationRepo(uow.session).find(platform, workspace)
        )

    async def every(self, platform: str) -> Sequence[Installation]:
        return await self.store.transaction(
            lambda uow: InstallationRepo(uow.session).every(platform)
        )

    async def remove(self, platform: str, workspace: str) -> bool:
        return await self.store.transaction(
            lambda uow: InstallationRepo(uow.session).remove(platform, workspace)
        )

    async def issue_state(self, platform: str, state: str, expires_at: datetime) -> None:
        await self.store.transaction(
            lambda uow: InstallationRepo(uow.session).issue_state(platform, state, expires_at)
        )

    async def consume_state(self, platform: str, state: str, now: datetime) -> bool:
        return await self.store.transaction(
            lambda uow: InstallationRepo(uow.session).consume_state(platform, state, now)
        )
