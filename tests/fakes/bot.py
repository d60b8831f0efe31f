"""A whole warroom wired by app.py around a fake adapter and a controllable clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.fakes.adapter import FakeAdapter, Sent
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, OrgConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.events import Actor, CommandReceived, MessagePosted, RoomRef, UserRef
from warroom.storage.store import UnitOfWork

LOBBY = "lobby"


class TestBot:
    """`await bot.send("note hi")` as someone, in some room; then look at `bot.adapter.sent`."""

    __test__ = False

    def __init__(
        self,
        url: str,
        *,
        config: Config | None = None,
        platform: str = "fake",
        serve_http: bool = False,
    ) -> None:
        base = config or Config(orgs=(OrgConfig(id="acme", platform=platform, workspace="acme"),))
        self.config = Config(
            storage=StorageConfig(url=url, auto_upgrade=False),
            reminders=base.reminders,
            orgs=base.orgs,
            sharing=base.sharing,
            console=base.console,
            limits=base.limits,
            playbooks=base.playbooks,
            goals=base.goals,
            intel=base.intel,
            exercises=base.exercises,
            http=base.http,
            web=base.web,
            audit=base.audit,
        )
        self.adapter = FakeAdapter(platform)
        self.clock = FakeClock()
        self.app: App = build_app(
            self.config,
            adapters={platform: self.adapter},
            clock=self.clock,
            serve_http=serve_http,
        )
        self._ids = itertools.count(1)
        self.user = "alice"
        self.org = "acme"
        self.room = RoomRef(platform, "W1", LOBBY)

    def actor(self, user: str | None = None, org: str | None = None) -> Actor:
        org = org or self.org
        name = user or self.user
        return Actor(UserRef(self.adapter.platform, org, name, name), org)

    async def send(self, text: str, **who: Any) -> list[Sent]:
        """Run one command; returns what the bot sent because of it."""
        return await self._handle(CommandReceived, text, **who)

    async def say(self, text: str, **who: Any) -> list[Sent]:
        """Say something in a room, as a person would."""
        return await self._handle(MessagePosted, text, **who)

    async def _handle(
        self,
        kind: type[CommandReceived] | type[MessagePosted],
        text: str,
        *,
        user: str | None = None,
        org: str | None = None,
        room: RoomRef | None = None,
        event_id: str | None = None,
    ) -> list[Sent]:
        before = len(self.adapter.sent)
        event = kind(
            self.actor(user, org), room or self.room, text, event_id or f"e{next(self._ids)}"
        )
        await self.app.core.handle(event)
        return self.adapter.sent[before:]

    async def open(self, text: str = 'open "DB leak" --sev 2') -> RoomRef:
        """Open an incident and move into its war room."""
        await self.send(text)
        created = self.adapter.of_kind("create_room")
        assert created and created[-1].room is not None, self.adapter.sent
        self.room = created[-1].room
        return self.room

    def db(self) -> Iterator[UnitOfWork]:
        return _uow(self.app)

    async def close(self) -> None:
        await self.app.stop()


@contextmanager
def _uow(app: App) -> Iterator[UnitOfWork]:
    with UnitOfWork(app.store.engine) as uow:
        yield uow
