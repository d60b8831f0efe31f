"""Three organisations on two platforms, served by one warroom: acme and cloud on two
workspaces of the fake Slack (signed HTTP events), cert on a real Synapse.

Shared by the cross-platform tests and `bench/relay.py`.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from nio import RedactionEvent, RoomMessageNotice

from tests.fakes.slack_api import FakeSlack
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import WAIT_S, Human
from tests.integration.slack.rig import SIGNING_SECRET, SlackRig
from warroom.adapters.matrix.adapter import MatrixAdapter
from warroom.adapters.matrix.factory import build_matrix_adapter
from warroom.adapters.slack.adapter import SlackAdapter
from warroom.adapters.slack.factory import slack_settings
from warroom.bot.app import build_app
from warroom.bot.config import (
    Config,
    HttpConfig,
    MatrixConfig,
    OrgConfig,
    SharingConfig,
    SlackConfig,
    StorageConfig,
)
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export

T1, T2, T9 = "T1", "T2", "T9"  # acme's and cloud's workspaces; rogue's has no agreement
ALICE, CARL, ROGER = "U0ALICE", "U0CARL", "U0ROGER"
GENERAL = "C0GENERAL"
BANNER = re.compile(r"^\[TLP:[A-Z+]+\]\n")
# Each cap is the boundary of something: AMBER passes acme-cert only, GREEN acme-cloud,
# CLEAR alone passes cert-cloud.
SHARING = (
    SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.AMBER),
    SharingConfig(orgs=("acme", "cloud"), max_tlp=Tlp.GREEN),
    SharingConfig(orgs=("cert", "cloud"), max_tlp=Tlp.CLEAR),
)
ENV_PREFIX = "WR_XP_"


def world_env(fake: FakeSlack, bot: Account) -> dict[str, str]:
    tokens = {t.id: t.token for t in fake.teams.values()}
    return {
        f"{ENV_PREFIX}SIGNING_SECRET": SIGNING_SECRET,
        f"{ENV_PREFIX}APP_TOKEN": fake.app_token,
        f"{ENV_PREFIX}MATRIX_PASSWORD": bot.password,
        **{f"{ENV_PREFIX}TOKEN_{team}": token for team, token in tokens.items()},
    }


def world_config(
    store_url: str, fake: FakeSlack, server: Homeserver, bot: Account, liaison: str, workdir: Path
) -> Config:
    def slack_org(org_id: str, team: str, liaison: str = "") -> OrgConfig:
        return OrgConfig(
            id=org_id,
            name=org_id.upper(),
            platform="slack",
            workspace=team,
            bot_token_env=f"{ENV_PREFIX}TOKEN_{team}",
            liaison=liaison,
        )

    return Config(
        storage=StorageConfig(url=store_url),
        http=HttpConfig(listen="127.0.0.1:0"),
        slack=SlackConfig(
            mode="http",
            api_url=fake.base_url,
            signing_secret_env=f"{ENV_PREFIX}SIGNING_SECRET",
            app_token_env=f"{ENV_PREFIX}APP_TOKEN",
        ),
        matrix=MatrixConfig(
            homeserver=server.url,
            user_id=bot.user_id,
            password_env=f"{ENV_PREFIX}MATRIX_PASSWORD",
            allowed_servers=(server.server_name,),
            store_dir=str(workdir / "matrix-store"),
        ),
        orgs=(
            slack_org("acme", T1, ALICE),
            slack_org("cloud", T2, CARL),
            OrgConfig(
                id="cert",
                name="CERT",
                platform="matrix",
                workspace=server.server_name,
                liaison=liaison,
            ),
            slack_org("rogue", T9),
        ),
        sharing=SHARING,
    )


async def new_fake_slack() -> FakeSlack:
    fake = FakeSlack()
    for team in (T1, T2, T9):
        fake.add_team(team, name=team.lower())
    await fake.start()
    fake.add_channel(T1, "general", members=[ALICE], channel_id=GENERAL)
    return fake


class World(SlackRig):
    """The Slack rig's signed requests, with one app wired with both adapters by app.py.
    `rooms` maps each org to its war room once the incident is open."""

    def __init__(self, fake: FakeSlack, config: Config, cora: Human) -> None:
        # Not SlackRig.__init__: that wires an app with the Slack adapter alone.
        self.fake = fake
        self.config = config
        self.mode = "http"
        self.cora = cora
        self.adapter = SlackAdapter(slack_settings(config), org_of=OrgDirectory(config).org_of)
        self.matrix: MatrixAdapter = build_matrix_adapter(config)
        self.clock = FakeClock(datetime.now(UTC))
        self.app = build_app(
            config,
            adapters={"slack": self.adapter, "matrix": self.matrix},
            clock=self.clock,
            serve_http=True,
        )
        self.http: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)
        self.rooms: dict[str, str] = {}
        self.digest_rooms: dict[str, str] = {}  # org -> its digest room, where it has one

    async def start(self, *, ready: bool = True) -> None:
        await super().start(ready=ready)
        assert self.matrix.sync is not None
        await asyncio.wait_for(self.matrix.sync.ready.wait(), WAIT_S)

    @property
    def cora_name(self) -> str:
        """How cert's liaison is named in copies: Synapse's default display name."""
        return self.cora.user_id[1:].split(":")[0]

    @property
    def bot_id(self) -> str:
        return self.matrix.settings.user_id

    # opening

    async def open(self, title: str, *, tlp: str = "amber") -> None:
        """acme's alice opens with cert from Slack, cert's liaison joins the Matrix room,
        and cloud is invited: three war rooms on two platforms."""
        before = set(self.cora.invites)
        ack = await self.command(f'open "{title}" --tlp {tlp} --org cert', team=T1)
        assert ack.status == 200, ack
        await self.settle()
        invited = await self.cora.wait_for(
            lambda: next(iter(set(self.cora.invites) - before), None)
        )
        await self.cora.join(invited)
        await until(lambda: self._bot_sees_joined(invited, self.cora.user_id))
        self.rooms = self.room_ids()
        await self.command("invite cloud", channel=self.rooms["acme"], team=T1)
        await self.settle()
        self.rooms = self.room_ids()
        assert set(self.rooms) == {"acme", "cert", "cloud"}, self.rooms
        assert self.rooms["cert"] == invited

    def _bot_sees_joined(self, room_id: str, user_id: str) -> bool:
        """Whether the bot's sync shows `user_id` joined, so copies are encrypted for them."""
        room = self.matrix.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    def room_ids(self, key: str = "INC-1") -> dict[str, str]:
        return {r["org"]: r["room_id"] for r in self.export(key)["rooms"]}

    # saying things on each platform

    async def slack_says(self, org: str, text: str) -> str:
        """A person of `org` (acme or cloud) says `text` in its channel; returns once warroom
        has handled it and delivered what it queued."""
        ts = await self.slack_event(org, text)
        await self.settle()
        return ts

    async def slack_event(self, org: str, text: str) -> str:
        """Slack's signed event for a message in `org`'s channel; returns once acked."""
        team, user = (T1, ALICE) if org == "acme" else (T2, CARL)
        # A ts of its own: the fake Slack numbers the bot's messages from .000001 up.
        ts = f"{int(time.time())}.9{next(self._ids):05d}"
        return await self.message(self.rooms[org], text, user=user, team=team, ts=ts)

    async def cert_says(self, text: str) -> str:
        return await self.cora.say(self.rooms["cert"], text)

    # reading each platform

    def slack_copies(self, org: str) -> list[dict[str, Any]]:
        """The bot's relayed copies in an org's Slack channel."""
        return [
            m
            for m in self.fake.channels[self.rooms[org]].messages.values()
            if m.get("bot_id") and "] " in str(m["text"])
        ]

    def matrix_copies(self) -> list[RoomMessageNotice]:
        """The bot's relayed copies in cert's room, as cert's liaison received them."""
        return [
            n
            for n in self.cora.notices(self.rooms["cert"], self.bot_id)
            if "] " in n.body and "m.new_content" not in n.source["content"]
        ]

    def matrix_redactions(self) -> list[str]:
        return [
            s.event.redacts
            for s in self.cora.seen
            if s.room_id == self.rooms["cert"] and isinstance(s.event, RedactionEvent)
        ]

    async def matrix_copy(self, text: str) -> RoomMessageNotice:
        def found() -> RoomMessageNotice | None:
            return next((n for n in self.matrix_copies() if text in n.body), None)

        found_notice: RoomMessageNotice = await self.cora.wait_for(found)
        return found_notice

    async def slack_copy(self, org: str, text: str) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((m for m in self.slack_copies(org) if text in str(m["text"])), None)

        copy: dict[str, Any] = await until(found)
        return copy

    def copies_in(self, org: str) -> list[str]:
        """What was relayed into an org's room, in order, without the TLP banner."""
        if org == "cert":
            texts = [n.body for n in self.matrix_copies()]
        else:
            texts = [str(m["text"]) for m in self.slack_copies(org)]
        return [BANNER.sub("", text) for text in texts]

    def told_privately_on_slack(self) -> str:
        """Every private answer on Slack: on a command's response_url, or ephemeral."""
        answers = [str(r.get("text", "")) for r in self.fake.responses]
        answers += [str(c.args["text"]) for c in self.fake.of("chat.postEphemeral")]
        return "\n".join(answers)

    def org_export(self, org: str | None, key: str = "INC-1") -> dict[str, Any]:
        return self.app.store.transaction_sync(
            lambda uow: incident_export(uow, key, config=self.config, as_org=org)
        )


async def until(check: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    """Poll `check` until it is truthy; the timeout only guards against hanging."""

    async def poll() -> Any:
        while not (found := check()):
            await asyncio.sleep(0.01)
        return found

    return await asyncio.wait_for(poll(), timeout)
