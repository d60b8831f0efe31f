"""The disclosure cases of issue 10, each tried as an attacker would, through the console.

Four console organisations: acme, cert, cloud, and evil with no agreement at all. The caps are
acme–cert RED, acme–cloud GREEN and cert–cloud AMBER, so an AMBER text of acme's reaches cert
and not cloud, and a RED or AMBER+STRICT one reaches neither. Every case is typed as a person
would type it (`:as`, `:room`, `/incident ...`, `:edit N ...`) into a `warroom console` running
in this process; what each organisation met is what the console showed in its rooms, its
digest room and to its people privately, plus its `--as-org` export.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from sqlmodel import select

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.events import MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import AdapterError, RoomSpec
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export
from warroom.storage.models import Outbox
from warroom.storage.store import UnitOfWork

ORGS = ("acme", "cert", "cloud", "evil")
LIAISONS = {"acme": "alice", "cert": "bob", "cloud": "carol", "evil": "mallory"}
CREATED = re.compile(r"^\* room #(\S+) created for (\S+): (.*)$")
SHOWN = re.compile(r"^\[(\d+)\] #(\S+) (\S+?)(?: \(reply to [^)]*\))?: ")
SECRETS = {
    'password: "correct horse battery"': "horse battery",
    "pw: hunter22": "hunter22",
    "Authorization: Bearer 0123456789abcdef0123456789abcdef": "0123456789abcdef",
    "api key 0123456789abcdef0123": "0123456789abcdef",
    "admin/Sup3rS3cret!": "sup3rs3cret",
}


@dataclass
class Output:
    """One thing the console showed: a post, an edit, a private answer, a topic, a room."""

    kind: str
    room: str
    text: str
    banner: str | None = None
    user: UserRef | None = None


class RecordingConsole(ConsoleAdapter):
    """The console adapter, recording what it showed; `down = True` fails it as an outage."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.down = False
        self.shown: list[Output] = []

    def _check(self) -> None:
        if self.down:
            raise AdapterError("console unreachable", retryable=True)

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        self._check()
        room = await super().create_room(spec)
        self.shown.append(Output("room", room.room_id, f"{room.room_id}\n{spec.topic}"))
        return room

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        self._check()
        self.shown.append(Output("post", room.room_id, message.plain_text(), message.tlp))
        return await super().post(room, message)

    async def edit(self, ref: MessageRef, message: Message) -> None:
        self._check()
        self.shown.append(Output("edit", ref.room.room_id, message.plain_text(), message.tlp))
        await super().edit(ref, message)

    async def delete(self, ref: MessageRef) -> None:
        self._check()
        await super().delete(ref)

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        self._check()
        shown = Output("notify", room.room_id, message.plain_text(), message.tlp, user)
        self.shown.append(shown)
        await super().notify(user, room, message)

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        self._check()
        self.shown.append(Output("topic", room.room_id, topic))
        await super().set_topic(room, topic)

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        self._check()
        await super().pin(room, ref)


@dataclass
class Console:
    """A `warroom console` session in this process: type lines, read what it showed."""

    adapter: RecordingConsole
    app: App
    out: StringIO
    clock: FakeClock
    rooms: dict[str, str] = field(default_factory=dict)  # room name -> org

    async def type(self, *lines: str) -> list[str]:
        """Feed lines as a person would type them; the lines the console printed meanwhile."""
        before = len(self.out.getvalue())
        for line in lines:
            assert await self.adapter.feed(line)
            await self.app.services.outbox.drain()
        printed = self.out.getvalue()[before:].splitlines()
        for line in printed:
            created = CREATED.match(line)
            if created:
                self.rooms[created[1]] = created[2]
        return printed

    async def say(self, text: str) -> int:
        """Say something in the current room; the number the console gave it."""
        for line in await self.type(text):
            shown = SHOWN.match(line)
            if shown and line.endswith(text) and shown[2] == self.adapter.room:
                return int(shown[1])
        raise AssertionError(f"{text!r} was not shown")

    async def act(self, who: str, room: str, *lines: str) -> list[str]:
        """`:as who`, `:room room`, then the lines."""
        return await self.type(f":as {who}", f":room {room}", *lines)

    async def recover(self) -> None:
        """The platform is back: every queued item is due again and delivered."""
        self.adapter.down = False
        for _ in range(5):
            self.clock.advance(timedelta(hours=1))
            await self.app.services.outbox.drain()

    def room_of(self, org: str, incident: int = 1) -> str:
        """The war room the console created for `org` in INC-`incident`."""
        names = [
            name
            for name, owner in self.rooms.items()
            if owner == org and re.fullmatch(rf"inc-{incident}(-.*)?", name)
        ]
        assert len(names) == 1, (org, incident, self.rooms)
        return names[0]

    def met_by(self, org: str, *, kinds: Sequence[str] = ()) -> list[Output]:
        """What `org` met: its war rooms, its digest room and its people's private answers."""
        own_rooms = {name for name, owner in self.rooms.items() if owner == org}
        own_rooms.add(f"digest-{org}")
        met = []
        for shown in self.adapter.shown:
            if kinds and shown.kind not in kinds:
                continue
            if shown.kind == "notify":
                assert shown.user is not None
                if shown.user.workspace == org:
                    met.append(shown)
            elif shown.room in own_rooms:
                met.append(shown)
        return met

    def text_met_by(self, org: str, *, kinds: Sequence[str] = ()) -> str:
        return "\n".join(shown.text for shown in self.met_by(org, kinds=kinds))

    def in_room(self, room: str) -> str:
        return "\n".join(
            s.text for s in self.adapter.shown if s.room == room and s.kind != "notify"
        )

    def export(self, as_org: str | None = None, key: str = "INC-1") -> dict[str, Any]:
        return self.app.store.transaction_sync(
            lambda uow: incident_export(uow, key, config=self.app.config, as_org=as_org)
        )

    def queued(self, action: str) -> int:
        with UnitOfWork(self.app.store.engine) as uow:
            return len(uow.session.exec(select(Outbox).where(Outbox.action == action)).all())

    def stored(self, key: str = "INC-1") -> list[str]:
        """The texts of the stored timeline, as kept for the hash chain."""
        with UnitOfWork(self.app.store.engine) as uow:
            incident = uow.incidents.by_key(key)
            assert incident is not None and incident.id is not None
            return [entry.text for entry in uow.timeline.entries(incident.id)]


@pytest.fixture
async def console(store_url: str) -> AsyncIterator[Console]:
    config = Config(
        storage=StorageConfig(url=store_url, auto_upgrade=False),
        orgs=tuple(
            OrgConfig(
                id=org,
                name=org.upper(),
                platform="console",
                liaison=LIAISONS[org],
                digest_room=f"digest-{org}",
            )
            for org in ORGS
        ),
        sharing=(
            SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.RED),
            SharingConfig(orgs=("acme", "cloud"), max_tlp=Tlp.GREEN),
            SharingConfig(orgs=("cert", "cloud"), max_tlp=Tlp.AMBER),
        ),
    )
    out = StringIO()
    adapter = RecordingConsole(user="alice", org="acme", stdin=StringIO(), stdout=out)
    clock = FakeClock()
    app = build_app(config, adapters={"console": adapter}, clock=clock)
    await adapter.start(app.core.handle)
    yield Console(adapter, app, out, clock)
    await app.stop()


async def open_incident(console: Console, args: str) -> str:
    """`/incident open ARGS` as alice of acme; acme's war room, where alice now is."""
    await console.type(":as alice@acme", ":room lobby", f"/incident open {args}")
    room = console.room_of("acme")
    assert console.adapter.room == room
    return room


async def test_a_red_update_reaches_no_other_org_and_an_amber_one_not_across_a_green_cap(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert --org cloud')
    await console.type("/incident update TLP:RED the insider is on the payroll team")
    await console.type("/incident update TLP:AMBER the bucket was opened from 198.51.100.7")
    await console.type("/incident update TLP:GREEN rotate your tokens")
    assert "payroll team" in console.in_room(console.room_of("acme"))
    for org in ("cert", "cloud"):
        assert "payroll team" not in console.text_met_by(org), org
    assert "198.51.100.7" in console.in_room(console.room_of("cert"))
    assert "198.51.100.7" not in console.text_met_by("cloud")
    assert "rotate your tokens" in console.in_room(console.room_of("cloud"))


async def test_timeline_shows_cert_no_red_or_strict_entry_and_no_secret(console: Console) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert --org cloud')
    await console.say("TLP:RED it was the night shift")
    await console.say("TLP:AMBER+STRICT our SOC missed it")
    await console.say('TLP:AMBER the vpn password: "correct horse battery" leaked')
    await console.type('/incident note "TLP:RED board informed"')
    printed = await console.act("bob@cert", console.room_of("cert"), "/incident timeline")
    answer = "\n".join(printed)
    assert "(only bob)" in answer and "the vpn" in answer
    for withheld in ("night shift", "SOC missed", "board informed", "horse battery"):
        assert withheld not in answer, withheld
    printed = await console.act("carol@cloud", console.room_of("cloud"), "/incident timeline")
    answer = "\n".join(printed)
    assert "(only carol)" in answer
    for withheld in ("night shift", "SOC missed", "board informed", "the vpn"):
        assert withheld not in answer, withheld


async def test_the_final_report_in_cert_and_cloud_rooms_withholds_what_they_may_not_see(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert --org cloud')
    await console.say("TLP:RED it was the night shift")
    await console.say("TLP:AMBER+STRICT our SOC missed it")
    await console.say("TLP:AMBER the bucket was opened from 198.51.100.7")
    await console.say("TLP:GREEN rotate your tokens")
    before = len(console.adapter.shown)
    await console.type('/incident resolve "TLP:RED root cause: a disgruntled admin"')
    report = {
        org: "\n".join(
            s.text for s in console.adapter.shown[before:] if s.room == console.room_of(org)
        )
        for org in ("acme", "cert", "cloud")
    }
    assert "rotate your tokens" in report["acme"]
    assert "198.51.100.7" in report["cert"] and "rotate your tokens" in report["cert"]
    assert "rotate your tokens" in report["cloud"]
    for org in ("cert", "cloud"):
        for withheld in ("night shift", "SOC missed", "disgruntled admin"):
            assert withheld not in report[org], (org, withheld)
    assert "198.51.100.7" not in report["cloud"]


async def test_the_cards_last_update_never_shows_a_red_update_to_another_org_even_a_later_one(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    await console.type("/incident update TLP:GREEN rotate your tokens")
    await console.type("/incident update TLP:RED the insider is on the payroll team")
    status = await console.type("/incident status")
    assert "payroll team" in "\n".join(status), "acme's own status shows its last update"
    answer = await console.act("bob@cert", console.room_of("cert"), "/incident status")
    assert "Last update" in "\n".join(answer) and "rotate your tokens" in "\n".join(answer)
    assert "payroll team" not in "\n".join(answer)
    await console.act("alice@acme", console.room_of("acme"), "/incident invite cloud")
    cloud = console.room_of("cloud")
    answer = await console.act("carol@cloud", cloud, "/incident status")
    assert "(only carol)" in "\n".join(answer)
    assert "payroll team" not in "\n".join(answer)
    for org in ("cert", "cloud"):
        cards = console.text_met_by(org, kinds=("post", "edit", "topic", "room"))
        assert "INC-1" in cards and "payroll team" not in cards, org


async def test_an_export_as_cert_holds_no_red_resolve_text_and_withheld_entries_as_stubs(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    await console.say("TLP:RED it was the night shift")
    await console.say("TLP:GREEN rotate your tokens")
    await console.type('/incident resolve "TLP:RED root cause: a disgruntled admin"')
    own = console.export()
    assert "disgruntled admin" in str(own["summary"]), "acme's own export keeps its resolve text"
    data = console.export(as_org="cert")
    assert "disgruntled admin" not in str(data["summary"])
    assert "disgruntled admin" not in str(data) and "night shift" not in str(data)
    assert "rotate your tokens" in str(data)
    stubs = [entry for entry in data["timeline"] if entry.get("withheld")]
    assert len(stubs) >= 2, "the RED message and the RED resolve are withheld"
    for stub in stubs:
        assert set(stub) == {"seq", "prev_hash", "hash", "withheld"} and stub["withheld"] is True
    seqs = [entry["seq"] for entry in data["timeline"]]
    assert seqs == list(range(1, len(seqs) + 1)), "every entry or its stub keeps the chain"


async def test_a_red_incidents_title_is_withheld_from_cert_in_room_name_card_list_and_export(
    console: Console,
) -> None:
    await open_incident(console, '"Merger with Initech" --tlp red --org cert')
    withheld = "INC-1 (title withheld: TLP:RED)"
    cert_room = console.room_of("cert")
    assert "initech" not in cert_room.lower() and "merger" not in cert_room.lower()
    assert "Initech" in console.in_room(console.room_of("acme"))
    cards = console.text_met_by("cert", kinds=("post", "edit", "topic", "room"))
    assert withheld in cards and "Initech" not in cards
    answer = "\n".join(await console.act("bob@cert", cert_room, "/incident list"))
    assert "INC-1" in answer and "Initech" not in answer
    data = console.export(as_org="cert")
    assert data["title"] == withheld
    assert "Initech" not in str(data)


async def test_secrets_are_redacted_in_every_view_and_kept_in_the_stored_timeline(
    console: Console,
) -> None:
    await open_incident(
        console, '"Breach of admin/Sup3rS3cret! on the vpn" --tlp green --org cert'
    )
    said = list(SECRETS)
    await console.say(f"TLP:GREEN the old {said[0]}")
    await console.type(f"/incident update --state identified -- TLP:GREEN found {said[1]}")
    await console.type(f'/incident note "TLP:GREEN header {said[2]}"')
    await console.say(f"TLP:GREEN and an {said[3]}")
    await console.act("bob@cert", console.room_of("cert"), f"TLP:GREEN we saw {said[4]} too")
    await console.act("alice@acme", console.room_of("acme"), "/incident timeline")
    await console.act("bob@cert", console.room_of("cert"), "/incident timeline")
    await console.act("alice@acme", console.room_of("acme"), "/incident status")
    await console.type('/incident resolve "TLP:GREEN rotated pw: hunter22 and the rest"')
    typed = re.compile(r"^\[\d+\] #\S+ (alice@acme|bob@cert): ")
    for line in console.out.getvalue().splitlines():
        if typed.match(line):
            continue  # the chat message where it was said
        for secret in SECRETS.values():
            assert secret not in line.lower(), f"a secret shown: {line!r}"
    assert {s.room for s in console.adapter.shown} >= {"digest-acme", "digest-cert"}
    assert "found pw:" in console.in_room(console.room_of("cert")), "the update was announced"
    for as_org in (None, "acme", "cert"):
        data = str(console.export(as_org=as_org)).lower()
        for secret in SECRETS.values():
            assert secret not in data, (as_org, secret)
    stored = "\n".join(console.stored())
    for original in SECRETS:
        assert original in stored, original


MARKINGS = [
    "_TLP:RED_",
    "TLP: RED",
    "TLP :RED",
    "TLP:\u00a0RED",
    "TLP:AMBER +STRICT",
    "TLP:AMBER-STRICT",
    "TLP:AMBER_STRICT",
    "_TLP:AMBER+STRICT_",
    "\uff34\uff2c\uff30\uff1a\uff32\uff25\uff24",  # ＴＬＰ：ＲＥＤ
    "TLP:\u200bRED",
    "TL\u200bP:AMBER+STRICT",
]


@pytest.mark.parametrize("marking", MARKINGS)
async def test_a_marking_as_people_write_it_keeps_the_message_from_cert(
    console: Console, marking: str
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    await console.say(f"{marking} the insider is on the payroll team")
    await console.say("TLP:AMBER and the bucket was opened from 198.51.100.7")
    await console.type("/incident update --state identified -- TLP:GREEN progress")
    met = console.text_met_by("cert") + str(console.export(as_org="cert"))
    assert "198.51.100.7" in met, "an unmarked-strict AMBER message does reach cert"
    assert "payroll team" not in met
    echo = f"#{console.room_of('acme')} alice@acme: {marking} the insider is on the payroll team"
    assert echo in console.out.getvalue(), "shown in the room where it was said"


async def test_mallory_of_evil_is_refused_an_invite_and_reads_nothing_of_the_incident(
    console: Console,
) -> None:
    acme = await open_incident(console, '"Leaked keys" --tlp green --org cert')
    await console.say("TLP:CLEAR even this is not for evil")
    printed = await console.type("/incident invite @mallory@evil")
    assert any(line.startswith(f"[#{acme}] (only alice) ⚠") for line in printed), printed
    assert not any("mallory invited" in line for line in printed)
    before = len(console.adapter.shown)
    answers = await console.act("mallory@evil", "lobby", "/incident timeline --id INC-1")
    answers += await console.act("mallory@evil", acme, "/incident timeline")
    answers += await console.act("mallory@evil", "lobby", "/incident status --id INC-1")
    answers += await console.act("mallory@evil", "lobby", "/incident list")
    shown = "\n".join([*answers, *(s.text for s in console.adapter.shown[before:])])
    for withheld in ("not for evil", "Leaked keys", "Brought in"):
        assert withheld not in shown, withheld
    assert "INC-1:" not in console.text_met_by("evil") and "CLEAR" not in shown


@pytest.mark.parametrize("change", ["edit to red", "delete"])
async def test_an_edit_to_red_or_a_delete_while_the_copy_waits_never_delivers_the_old_text(
    console: Console, change: str
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    console.adapter.down = True
    mine = await console.say("TLP:GREEN the insider is on the payroll team")
    assert console.queued("relay") == 1, "the copy for cert waits in the outbox"
    if change == "delete":
        await console.type(f":delete {mine}")
    else:
        await console.type(f":edit {mine} TLP:RED the insider is Dave from payroll")
    await console.recover()
    await console.say("TLP:GREEN after the outage")
    cert = console.in_room(console.room_of("cert"))
    assert "after the outage" in cert, "the platform is back"
    assert "payroll" not in cert and "Dave" not in cert
    if change == "edit to red":
        assert "payroll" not in str(console.export(as_org="cert"))


async def test_a_pin_on_an_old_strict_message_after_tlp_green_stays_out_of_certs_digest_and_export(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    mine = await console.say("TLP:AMBER+STRICT our SOC missed it for a week")
    await console.type("/incident tlp green")
    await console.act("dave@acme", console.room_of("acme"), f":react {mine} 📌")
    assert any("📌" in text and "SOC missed" in text for text in console.stored())
    await console.type(":as alice@acme")
    await console.type("/incident update --state identified -- TLP:GREEN progress")
    digest = console.in_room("digest-cert")
    assert "progress" in digest
    assert "SOC missed" not in digest
    assert "SOC missed" not in str(console.export(as_org="cert"))
    assert "SOC missed" not in console.text_met_by("cert")


async def test_a_message_raised_to_red_by_an_edit_leaves_certs_room_export_and_later_digests(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    mine = await console.say("TLP:GREEN the insider is on the payroll team")
    assert "payroll team" in console.in_room(console.room_of("cert"))
    printed = await console.type(f":edit {mine} TLP:RED the insider is on the payroll team")
    assert f"* [{mine + 1}] deleted" in printed, "the copy is withdrawn"
    await console.type("/incident update --state identified -- TLP:GREEN progress")
    assert "payroll team" not in str(console.export(as_org="cert"))
    digest = console.in_room("digest-cert")
    assert "progress" in digest and "payroll team" not in digest


async def test_a_red_message_edited_down_to_green_is_relayed_and_its_sender_told_privately(
    console: Console,
) -> None:
    acme = await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    mine = await console.say("TLP:RED the insider is on the payroll team")
    assert "payroll team" not in console.in_room(console.room_of("cert"))
    before = len(console.adapter.shown)
    await console.type(f":edit {mine} TLP:GREEN the insider was on the payroll team")
    assert "was on the payroll team" in console.in_room(console.room_of("cert"))
    told = [s for s in console.adapter.shown[before:] if s.kind == "notify"]
    assert told and all(s.user is not None and s.user.user_id == "alice" for s in told)
    assert any(s.room == acme for s in told)
    assert "was on the payroll team" in str(console.export(as_org="cert"))


async def test_a_command_aimed_at_another_incident_from_a_war_room_is_answered_only_to_its_caller(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    await console.type(":room lobby", '/incident open "Phishing wave" --tlp green --org cloud')
    inc2 = console.room_of("acme", incident=2)
    before = len(console.adapter.shown)
    await console.act(
        "alice@acme", inc2, '/incident note "TLP:RED the insider is Dave" --id INC-1'
    )
    assert any("the insider is Dave" in text for text in console.stored("INC-1"))
    assert not any("the insider is Dave" in text for text in console.stored("INC-2"))
    shown = console.adapter.shown[before:]
    posted = [s for s in shown if "Dave" in s.text and s.kind != "notify"]
    assert posted == [], "nothing with the text was posted in any room"
    answered = [s for s in shown if "Dave" in s.text]
    assert answered and all(s.user is not None and s.user.user_id == "alice" for s in answered)


async def test_a_red_message_is_never_bannered_below_red(console: Console) -> None:
    acme = await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    await console.type("/incident update TLP:RED the insider is on the payroll team")
    await console.say("TLP:RED it was the night shift")
    await console.type("/incident timeline", "/incident status")
    holding = [s for s in console.adapter.shown if "payroll" in s.text or "night shift" in s.text]
    assert holding and all(s.room == acme or s.user is not None for s in holding)
    for shown in holding:
        assert shown.banner in (None, "RED"), (shown.banner, shown.text)
    assert any(s.kind == "post" and s.banner == "RED" for s in holding), "the update"
    assert any(s.kind == "notify" and s.banner == "RED" for s in holding), "the timeline"


async def test_a_red_note_is_confirmed_under_a_red_banner(console: Console) -> None:
    await open_incident(console, '"Leaked keys" --tlp amber --org cert')
    await console.type('/incident note "TLP:RED board informed"')
    confirmed = [s for s in console.adapter.shown if "board informed" in s.text]
    assert confirmed and all(s.banner == "RED" for s in confirmed), confirmed


async def test_the_entry_recording_a_change_from_red_to_green_is_shown_to_every_org(
    console: Console,
) -> None:
    await open_incident(console, '"Leaked keys" --tlp red --org cert')
    await console.say("TLP:RED it was the night shift")
    await console.type("/incident tlp green")
    change = "TLP:RED → TLP:GREEN"
    assert change in console.in_room(console.room_of("cert"))
    entries = console.export(as_org="cert")["timeline"]
    assert any(entry.get("kind") == "tlp" and change in entry["text"] for entry in entries)
    answer = await console.act("bob@cert", console.room_of("cert"), "/incident timeline")
    assert any(change in line for line in answer)
    assert not any("night shift" in line for line in answer)
