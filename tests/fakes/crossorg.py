"""Three organisations on two fake platforms, wired by app.py like production."""

from __future__ import annotations

import itertools

from tests.fakes.adapter import FakeAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.events import (
    Actor,
    CommandReceived,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    MessageRef,
    RoomRef,
    UserRef,
)
from warroom.bot.domain.goals import Goals
from warroom.bot.domain.tlp import Tlp

ORGS = (
    OrgConfig(id="acme", name="ACME Corp", platform="chat", workspace="T1", liaison="alice"),
    OrgConfig(id="cloud", name="Cloud Inc", platform="chat", workspace="T2", liaison="carl"),
    OrgConfig(id="cert", name="CERT", platform="mx", workspace="cert.example", liaison="cora"),
    OrgConfig(id="rogue", name="Rogue", platform="chat", workspace="T9"),
)
SHARING = (
    SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.RED),
    SharingConfig(orgs=("acme", "cloud"), max_tlp=Tlp.GREEN),
    SharingConfig(orgs=("cert", "cloud"), max_tlp=Tlp.AMBER),
)
WORKSPACES = {"acme": "T1", "cloud": "T2", "cert": "cert.example", "rogue": "T9"}
PLATFORMS = {"acme": "chat", "cloud": "chat", "cert": "mx", "rogue": "chat"}


class CrossOrgBot:
    __test__ = False

    def __init__(self, url: str, *, goals: Goals | None = None) -> None:
        self.config = Config(
            storage=StorageConfig(url=url, auto_upgrade=False),
            orgs=ORGS,
            sharing=SHARING,
            goals=goals or Goals(),
        )
        self.chat = FakeAdapter("chat", "T1")
        self.mx = FakeAdapter("mx", "cert.example")
        self.clock = FakeClock()
        self.app: App = build_app(
            self.config, adapters={"chat": self.chat, "mx": self.mx}, clock=self.clock
        )
        self.rooms: dict[str, RoomRef] = {}
        self._ids = itertools.count(1)

    def actor(self, name: str, org: str) -> Actor:
        return Actor(UserRef(PLATFORMS[org], WORKSPACES[org], name, name), org)

    def adapter(self, org: str) -> FakeAdapter:
        return self.chat if PLATFORMS[org] == "chat" else self.mx

    async def command(
        self, text: str, *, name: str, org: str, room: RoomRef | None = None
    ) -> None:
        lobby = RoomRef(PLATFORMS[org], WORKSPACES[org], "lobby")
        event = CommandReceived(
            self.actor(name, org), room or self.rooms.get(org, lobby), text, f"c{next(self._ids)}"
        )
        await self.app.core.handle(event)
        self._learn_rooms()

    async def say(self, text: str, *, name: str, org: str, reply_to: str = "") -> str:
        message_id = f"m{next(self._ids)}"
        event = MessagePosted(
            self.actor(name, org),
            self.rooms[org],
            text,
            f"ev-{message_id}",
            message_id=message_id,
            reply_to=reply_to,
        )
        await self.app.core.handle(event)
        return message_id

    async def edit(self, message_id: str, text: str, *, name: str, org: str) -> None:
        room = self.rooms[org]
        await self.app.core.handle(
            MessageEdited(
                self.actor(name, org),
                room,
                MessageRef(room, message_id),
                text,
                f"ed{next(self._ids)}",
            )
        )

    async def delete(self, message_id: str, *, name: str, org: str) -> None:
        room = self.rooms[org]
        await self.app.core.handle(
            MessageDeleted(
                self.actor(name, org), room, MessageRef(room, message_id), f"del{next(self._ids)}"
            )
        )

    def _learn_rooms(self) -> None:
        for adapter in (self.chat, self.mx):
            for sent in adapter.of_kind("create_room"):
                spec = sent.extra["spec"]
                assert sent.room is not None
                self.rooms[spec.org] = sent.room

    def posts_in(self, org: str) -> list[str]:
        room = self.rooms[org]
        return [
            s.message.body
            for s in self.adapter(org).of_kind("post")
            if s.room == room and s.message
        ]
