"""The one disclosure rule on every output path, as a property.

Random incidents across four organisations (one with no agreement at all) with random caps;
random messages, notes, updates, tasks, review lessons and follow-ups at random markings,
with secrets, edits that raise or lower markings, highlights, ticked tasks, TLP changes and
invitations. Every text carries a token (`k7z`). An oracle written from DESIGN.md's table,
not from the code, says which tokens each organisation may meet where; after every step each
new output (war-room posts and edits, checklists, room names, digests, reviews, due
follow-ups' reminders, private answers) is checked against it, and at the end every room's
final content, each org's `timeline`, `status`, `list`, `tasks`, `review`, `followups` and
export, and each org's `search` for every token and the suggestions at `open`. Nothing
forbidden may show, and everything the rule allows must reach a view (a path withholding
everything fails). No secret ever leaves the chat message it was said in.

Every text names a host after its token (`k7z.net`), so indicators are found in it: each
org's `iocs`, STIX bundle and MISP event hold exactly the hosts it may see, and when each org
later says them all in an incident of its own, the notices that they were seen before name
INC-1 only for hosts it may see there.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fakes.adapter import FakeAdapter, Sent
from warroom.adapters.slack.render import render
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, ExercisesConfig, IntelConfig, OrgConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.dashboard import ListFilter, Viewer
from warroom.bot.domain.events import (
    Actor,
    CommandReceived,
    MessageEdited,
    MessagePosted,
    MessageRef,
    QuotedMessage,
    ReactionAdded,
    RoomRef,
    UserRef,
)
from warroom.bot.domain.sharing import Agreement
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations import checklist
from warroom.bot.operations.dashboard import DashboardReads
from warroom.bot.operations.export import incident_export, markdown_report
from warroom.bot.operations.intel_export import export_intel
from warroom.bot.operations.stats import indicators
from warroom.bot.operations.stats_report import report_json
from warroom.storage.migrate import upgrade
from warroom.storage.store import UnitOfWork

ORGS = ("acme", "cert", "cloud", "evil")  # evil has no agreement with anyone
SPEAKS = {"acme": {"locale": "de", "timezone": "Europe/Berlin"}}  # the others English, UTC
PAIRS = (("acme", "cert"), ("acme", "cloud"), ("cert", "cloud"))
TOKEN = re.compile(r"k(\d+)z")
SECRET = re.compile(r"s3cr\d+x")
# a checkpoint's base64 signature, as exports and console lines carry it: random letters
# and digits, not text, where `k8z` may stand by chance
SIGNATURE = re.compile(r"""["']signature["']: ?["'][^"']*["']|warroom-[\w.-]+:\S+""")


def tokens(text: str) -> list[str]:
    """The numbers of the tokens in `text`, signatures left out."""
    return TOKEN.findall(SIGNATURE.sub("", text))


LEVELS = list(Tlp)
_template: Path | None = None


def template() -> Path:
    global _template
    if _template is None:
        _template = Path(tempfile.mkdtemp()) / "template.db"
        upgrade(f"sqlite:///{_template}")
    return _template


# --- the oracle: DESIGN.md's table, written out again -------------------------------------


@dataclass
class Saying:
    """One place a token was said: by `org` at `tlp` (`follows`: the token whose edits it
    follows, for highlights); `fixed` sayings are entries, the others the title."""

    org: str
    tlp: Tlp
    follows: int | None = None


@dataclass
class Oracle:
    caps: dict[frozenset[str], Tlp]
    orgs: set[str] = field(default_factory=lambda: {"acme"})
    sayings: dict[int, list[Saying]] = field(default_factory=dict)
    edited: dict[int, Tlp] = field(default_factory=dict)  # token -> tlp its latest edit gave
    title_token: int = -1
    title_marking: Tlp | None = None
    incident_tlp: Tlp = Tlp.AMBER

    def tlp_of(self, token: int, saying: Saying) -> Tlp:
        follows = saying.follows if saying.follows is not None else token
        return self.edited.get(follows, saying.tlp)

    def allowed(self, token: int, reader: str, where: str) -> bool:
        if token == self.title_token and self.title_visible(reader, where):
            return True
        return any(
            self.visible(saying.org, self.tlp_of(token, saying), reader, where)
            for saying in self.sayings.get(token, [])
        )

    def title_visible(self, reader: str, where: str) -> bool:
        marking = self.title_marking
        tlp = marking if marking is not None else self.incident_tlp
        return self.visible("acme", tlp, reader, where)

    def visible(self, sayer: str, tlp: Tlp, reader: str, where: str) -> bool:
        if reader == sayer:  # each org has one war room: where it speaks
            return tlp is not Tlp.RED or where in ("room", "view")
        if reader not in self.orgs or tlp >= Tlp.AMBER_STRICT:
            return False
        cap = self.caps.get(frozenset({sayer, reader}))
        return cap is not None and tlp <= cap


# --- the world --------------------------------------------------------------------------


def marking(tlp: Tlp | None) -> str:
    return f"TLP:{tlp.label} " if tlp is not None else ""


@dataclass
class World:
    app: App
    adapter: FakeAdapter
    oracle: Oracle
    rooms: dict[str, RoomRef] = field(default_factory=dict)
    room_org: dict[str, str] = field(default_factory=dict)
    said: list[tuple[int, str, RoomRef, str]] = field(default_factory=list)  # token,org,room,id
    spoke: set[str] = field(default_factory=lambda: {"acme"})
    seen_upto: int = 0
    ids: Any = field(default_factory=lambda: itertools.count(1))
    tokens: Any = field(default_factory=lambda: itertools.count(1))
    scanned: set[int] = field(default_factory=set)  # tokens said where indicators are found

    def actor(self, org: str) -> Actor:
        name = "alice" if org == "acme" else f"{org}-person"
        return Actor(UserRef("fake", org, name, name), org)

    def text(self, tlp: Tlp | None, secret: bool) -> tuple[int, str]:
        token = next(self.tokens)
        said = f"{marking(tlp)}k{token}z words at k{token}z.net"
        return token, said + (f" password: s3cr{token}x" if secret else "")

    def effective(self, tlp: Tlp | None) -> Tlp:
        return tlp if tlp is not None else self.oracle.incident_tlp

    async def command(self, org: str, text: str) -> None:
        room = self.rooms.get(org, RoomRef("fake", org, "lobby"))
        await self.app.core.handle(CommandReceived(self.actor(org), room, text, self.event()))
        await self.settle()

    def event(self) -> str:
        return f"e{next(self.ids)}"

    async def settle(self) -> None:
        await self.app.outbox.drain()
        for sent in self.adapter.of_kind("create_room"):
            spec = sent.extra["spec"]
            assert sent.room is not None
            self.rooms[spec.org] = sent.room
            self.room_org[sent.room.room_id] = spec.org

    def where_of(self, sent: Sent) -> tuple[str, str] | None:
        """(reader org, where) of an output."""
        if sent.room is None:
            return None
        if sent.kind == "notify":
            assert sent.user is not None
            return sent.user.workspace, "view"
        if sent.room.room_id.startswith("digest-"):
            return sent.room.room_id.removeprefix("digest-"), "digest"
        org = self.room_org.get(sent.room.room_id)
        return (org, "room") if org else None

    def check_new_outputs(self) -> None:
        new, self.seen_upto = self.adapter.sent[self.seen_upto :], len(self.adapter.sent)
        for sent in new:
            found = self.where_of(sent)
            text = output_text(sent)
            assert not SECRET.search(text), f"a secret left the chat: {text!r}"
            if found is None:
                continue
            reader, where = found
            for token in map(int, tokens(text)):
                assert self.oracle.allowed(token, reader, where), (
                    f"k{token}z reached {reader} ({where}): {text!r}"
                )


def output_text(sent: Sent) -> str:
    """What the output shows, in plain text and as Slack would render it (checkboxes too)."""
    parts = [sent.text]
    if sent.message is not None:
        parts.append(json.dumps(render(sent.message)[1], ensure_ascii=False))
    spec = sent.extra.get("spec")
    if spec is not None:
        parts += [spec.name, spec.title, spec.topic]
    parts.append(str(sent.extra.get("topic", "")))
    return "\n".join(parts)


# --- the steps --------------------------------------------------------------------------

levels = st.one_of(st.none(), st.sampled_from(LEVELS))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("say"), st.sampled_from(ORGS[:3]), levels, st.booleans()),
        st.tuples(st.just("note"), st.sampled_from(ORGS[:3]), levels, st.booleans()),
        st.tuples(st.just("update"), st.just("acme"), levels, st.booleans()),
        st.tuples(st.just("edit"), st.integers(0, 20), levels, st.booleans()),
        st.tuples(st.just("pin"), st.integers(0, 20), st.sampled_from(ORGS[:3])),
        st.tuples(
            st.just("pin_uncaptured"), st.sampled_from(ORGS[:3]), st.sampled_from(ORGS[:3]), levels
        ),
        st.tuples(st.just("tlp"), st.sampled_from(LEVELS)),
        st.tuples(st.just("invite"), st.sampled_from(ORGS[1:])),
        st.tuples(st.just("task"), st.sampled_from(ORGS[:3]), levels, st.booleans()),
        st.tuples(st.just("tick"), st.integers(1, 6), st.sampled_from(ORGS[:3])),
    ),
    min_size=3,
    max_size=14,
)
# after `resolve`: lessons of the review and follow-ups, by any organisation
lessons = st.lists(
    st.tuples(
        st.sampled_from(("good", "improve", "followup")),
        st.sampled_from(ORGS[:3]),
        levels,
        st.booleans(),
    ),
    max_size=4,
)
caps = st.fixed_dictionaries(
    {pair: st.one_of(st.none(), st.sampled_from(LEVELS)) for pair in PAIRS}
)


async def step(world: World, action: tuple[Any, ...]) -> None:
    kind, oracle = action[0], world.oracle
    if kind == "invite":
        before = set(oracle.orgs)
        await world.command("acme", f"invite {action[1]}")
        if action[1] in world.rooms:
            oracle.orgs.add(action[1])
        assert oracle.orgs >= before
    elif kind == "tlp":
        await world.command("acme", f"tlp {action[1].label.lower()}")
        oracle.incident_tlp = action[1]
    elif kind in ("say", "note", "update"):
        _, org, tlp, secret = action
        if org not in oracle.orgs:
            return
        token, text = world.text(tlp, secret)
        said = Saying(org, world.effective(tlp))
        if kind == "say":
            room = world.rooms[org]
            message_id = f"m{token}"
            oracle.sayings[token] = [said]
            world.scanned.add(token)
            event = MessagePosted(world.actor(org), room, text, world.event(), message_id)
            await world.app.core.handle(event)
            await world.settle()
            world.said.append((token, org, room, message_id))
            world.spoke.add(org)
        elif org in world.spoke:
            oracle.sayings[token] = [said]
            world.scanned.add(token)
            await world.command(org, f"{kind} -- {text}")
    elif kind == "task":
        _, org, tlp, secret = action
        if org in oracle.orgs and org in world.spoke:
            token, text = world.text(tlp, secret)
            oracle.sayings[token] = [Saying(org, world.effective(tlp))]
            world.scanned.add(token)
            await world.command(org, f"task add --due 1m -- {text}")
    elif kind == "tick":
        _, number, org = action
        if org in oracle.orgs and org in world.spoke:
            await world.command(org, f"task done {number}")
    elif kind == "edit" and world.said:
        _, index, tlp, secret = action
        original, org, room, message_id = world.said[index % len(world.said)]
        token, text = world.text(tlp, secret)
        oracle.sayings[token] = [Saying(org, world.effective(tlp))]
        world.scanned.add(token)
        oracle.edited[original] = world.effective(tlp)
        target = MessageRef(room, message_id)
        event = MessageEdited(world.actor(org), room, target, text, world.event())
        await world.app.core.handle(event)
        await world.settle()
    elif kind == "pin" and world.said:
        _, index, org = action
        original, sayer, room, message_id = world.said[index % len(world.said)]
        if org != sayer or org not in world.rooms:
            return  # pins on copies are covered by the cross-org tests
        source = oracle.sayings[original][0]
        oracle.sayings[original].append(Saying(org, source.tlp, follows=original))
        event = ReactionAdded(
            world.actor(org), room, MessageRef(room, message_id), "📌", world.event()
        )
        await world.app.core.handle(event)
        await world.settle()
    elif kind == "pin_uncaptured":  # a 📌 on a message the platform has and warroom never had
        _, sayer, org, tlp = action
        if sayer not in world.rooms or org not in world.rooms:
            return
        token, text = world.text(tlp, secret=True)
        oracle.sayings[token] = [Saying(sayer, world.effective(tlp))]
        room = world.rooms[sayer]
        quoted = QuotedMessage(world.actor(sayer), text)
        target = MessageRef(room, f"unheard{token}")
        event = ReactionAdded(world.actor(org), room, target, "📌", world.event(), quoted)
        await world.app.core.handle(event)
        await world.settle()


def views(world: World, org: str) -> dict[str, str]:
    """The JSON export (stored English) and the report in the org's own language."""
    lang = world.app.config.language(org)

    def export(uow: Any, **spoken: Any) -> dict[str, Any]:
        return incident_export(uow, "INC-1", config=world.app.config, as_org=org, **spoken)

    data = world.app.store.transaction_sync(export)
    report = world.app.store.transaction_sync(partial(export, lang=lang))
    # room ids are the platform's handles, not text; the fake names them after the room name
    # it was created with, which the checks after each step cover
    shown = {k: v for k, v in data.items() if k != "rooms"}

    def intel(form: str) -> str:
        return world.app.store.transaction_sync(
            lambda uow: export_intel(
                uow, world.app.config, "INC-1", form=form, as_org=org, at=FakeClock().now()
            )
        )

    return {
        "export": str(shown),
        "report": markdown_report(report, lang),
        "stix": intel("stix"),
        "misp": intel("misp"),
    }


def dashboard_of(world: World, org: str) -> tuple[DashboardReads, Viewer]:
    reads = DashboardReads(world.app.store, world.app.config, world.app.services.clock)
    return reads, Viewer("fake", org, f"reader-{org}", f"reader-{org}", org, csrf="")


async def dashboard_views(world: World, org: str) -> dict[str, str]:
    """The dashboard as `org` sees it: the list, the incident page, what its live stream
    sends from the start, and both downloads."""
    reads, viewer = dashboard_of(world, org)
    listed = await reads.incidents(viewer, ListFilter())
    page = await reads.incident(viewer, "INC-1", before=None)
    streamed = await reads.entries_after(viewer, "INC-1", 0)
    assert page is not None and streamed is not None
    assert [e["seq"] for e in streamed.entries] == sorted(e["seq"] for e in page["timeline"])
    exported = await reads.export(viewer, "INC-1", "json")
    assert exported is not None
    # room ids are the platform's handles, as in `views`: the fake names them after the name
    # a room was created with, when the title may have been the reader's to see
    downloaded = {k: v for k, v in json.loads(exported).items() if k != "rooms"}
    return {
        "dashboard list": str(listed["incidents"]),
        "dashboard page": str({k: v for k, v in page.items() if k != "rooms"}),
        "dashboard stream": str(list(streamed.entries)),
        "dashboard json": str(downloaded),
        "dashboard md": str(await reads.export(viewer, "INC-1", "md")),
    }


async def nothing_on_the_dashboard(world: World, org: str) -> None:
    """An org taking no part in INC-1 finds nothing of it on the dashboard."""
    reads, viewer = dashboard_of(world, org)
    listed = await reads.incidents(viewer, ListFilter())
    assert all(i["key"] != "INC-1" for i in listed["incidents"])
    assert await reads.incident(viewer, "INC-1", before=None) is None
    assert await reads.entries_after(viewer, "INC-1", 0) is None
    assert await reads.export(viewer, "INC-1", "json") is None


async def seen_before(world: World, org: str) -> str:
    """`org` opens an incident of its own and says every host said in INC-1 there: the
    notices that they were seen before."""
    lobby = RoomRef("fake", org, "lobby")
    open_it = CommandReceived(world.actor(org), lobby, f'open "{org} again"', world.event())
    await world.app.core.handle(open_it)
    await world.settle()
    room = world.rooms[org]
    hosts = " ".join(f"k{token}z.net" for token in sorted(world.scanned))
    said = MessagePosted(world.actor(org), room, f"seen {hosts}", world.event(), world.event())
    before = len(world.adapter.sent)
    await world.app.core.handle(said)
    await world.settle()
    world.seen_upto = len(world.adapter.sent)
    notices = [
        s.text
        for s in world.adapter.sent[before:]
        if s.kind == "post" and s.room == room and "🔎" in s.text  # in the org's language
    ]
    for notice in notices:
        assert re.findall(r"INC-\d+", notice) == ["INC-1"], notice
    return "\n".join(notices)


async def after_resolve(world: World, action: tuple[Any, ...]) -> None:
    """A lesson of the review, or a follow-up its sayer owns (so its org may see it)."""
    kind, org, tlp, secret = action
    if org not in world.oracle.orgs or org not in world.spoke:
        return
    token, text = world.text(tlp, secret)
    world.oracle.sayings[token] = [Saying(org, world.effective(tlp))]
    if kind == "followup":
        owner = world.actor(org).user.user_id
        await world.command(org, f"followup add --owner @{owner} --due 1m -- {text}")
    else:
        await world.command(org, f"review {kind} -- {text}")


async def answers(world: World, org: str, verb: str) -> str:
    before = len(world.adapter.sent)
    anywhere = verb in ("list", "followups", "stats")
    await world.command(org, verb if anywhere else f"{verb} --id INC-1")
    new = world.adapter.sent[before:]
    world.seen_upto = len(world.adapter.sent)
    return "\n".join(s.text for s in new if s.kind == "notify")


def final_rooms(world: World) -> dict[str, list[str]]:
    """What each war room holds at the end: posts with their edits, less deletions."""
    held: dict[str, dict[str, str]] = {}
    for sent in world.adapter.sent:
        if sent.room is None or sent.room.room_id not in world.room_org:
            continue
        messages = held.setdefault(sent.room.room_id, {})
        message_id = str(sent.extra.get("message_id", ""))
        if sent.kind in ("post", "edit"):
            messages[message_id] = sent.text
        elif sent.kind == "delete":
            messages.pop(message_id, None)
    return {room: list(m.values()) for room, m in held.items()}


def figures_agree_with_the_export(world: World, org: str) -> None:
    """The indicators count and time only what the org's export (checked above against the
    oracle) shows it: its tasks done, and each other org's first act it may see."""
    config, now = world.app.config, world.app.services.clock.now()

    def read(uow: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        figures = report_json(indicators(uow, config, now=now, as_org=org))
        return figures, incident_export(uow, "INC-1", config=config, as_org=org)

    figures, export = world.app.store.transaction_sync(read)
    done = sum(1 for task in export["tasks"] if task["done_at"])
    assert sum(r["tasks_done"] for r in figures["incidents"]["by_severity"]) == done
    shown = [e for e in export["timeline"] if not e.get("withheld")]
    for clock in export["org_clocks"]:
        acts = [
            e["at"]
            for e in shown
            if e["actor"]["org"] == clock["org"]
            and e["actor"]["platform"] != "warroom"
            and e["at"] >= clock["brought_in_at"]
        ]
        assert clock["first_acted_at"] == min(acts, default=None), (org, clock)
    timed = {c["org"]: c["time_to_acknowledge_s"] for c in export["org_clocks"]}
    for clock in figures["incidents"]["org_clocks"]:
        assert clock["median_s"] == timed[clock["org"]], (org, clock)


async def scenario(
    url: str,
    pair_caps: dict[tuple[str, str], Tlp | None],
    actions: list[Any],
    title_tlp: Tlp | None,
    opened_at: Tlp,
    afterwards: list[Any] | None = None,
) -> None:
    agreements = tuple(Agreement(pair, cap) for pair, cap in pair_caps.items() if cap is not None)
    config = Config(
        storage=StorageConfig(url=url, auto_upgrade=False),
        orgs=tuple(
            OrgConfig(
                id=o, platform="fake", workspace=o, digest_room=f"digest-{o}", **SPEAKS.get(o, {})
            )
            for o in ORGS
        ),
        sharing=agreements,
        intel=IntelConfig(extract_in_worker=False),
    )
    adapter = FakeAdapter("fake")
    clock = FakeClock()
    app = build_app(config, adapters={"fake": adapter}, clock=clock)
    oracle = Oracle({frozenset(p): c for p, c in pair_caps.items() if c is not None})
    world = World(app, adapter, oracle)
    try:
        token, title = world.text(title_tlp, secret=True)
        oracle.title_token, oracle.title_marking, oracle.incident_tlp = token, title_tlp, opened_at
        oracle.sayings[token] = [Saying("acme", title_tlp or opened_at)]  # the `opened` entry
        await world.command("acme", f"open --tlp {opened_at.label.lower()} -- {title}")
        world.check_new_outputs()
        for action in actions:
            await step(world, action)
            world.check_new_outputs()
        clock.advance(timedelta(minutes=2))
        assert app.reminders is not None
        await app.reminders.replan(1)  # the due tasks' reminders, in each owner's room
        await app.reminders.settled()
        await world.settle()
        world.check_new_outputs()
        await world.command("acme", "resolve")
        world.check_new_outputs()
        for action in afterwards or []:
            await after_resolve(world, action)
            world.check_new_outputs()
        for org in sorted(world.spoke & oracle.orgs):
            await world.command(org, "review")  # the draft, posted in the org's own room
            world.check_new_outputs()
        clock.advance(timedelta(minutes=2))
        await app.reminders.followups()  # to each owner: digest room and privately
        await app.reminders.settled()
        await world.settle()
        world.check_new_outputs()

        for room_id, texts in final_rooms(world).items():
            reader = world.room_org[room_id]
            for text in texts:
                for token in map(int, tokens(text)):
                    assert oracle.allowed(token, reader, "room"), (reader, text)
        for org in ORGS:
            if org in oracle.orgs:
                shown = views(world, org) | await dashboard_views(world, org)
            else:
                shown = {}
                await nothing_on_the_dashboard(world, org)
            shown["timeline"] = await answers(world, org, "timeline")
            shown["status"] = await answers(world, org, "status")
            shown["list"] = await answers(world, org, "list")
            shown["tasks"] = await answers(world, org, "tasks")
            shown["review"] = await answers(world, org, "review")
            shown["followups"] = await answers(world, org, "followups")
            shown["stats"] = await answers(world, org, "stats")
            shown["iocs"] = await answers(world, org, "iocs")
            for path, text in shown.items():
                assert not SECRET.search(text), f"a secret in {org}'s {path}"
                for token in map(int, tokens(text)):
                    assert oracle.allowed(token, org, "view"), f"k{token}z in {org}'s {path}"
            await check_search(world, org)
            if org not in oracle.orgs:
                continue
            figures_agree_with_the_export(world, org)
            for token, sayings in oracle.sayings.items():
                tlps = [(s.org, oracle.tlp_of(token, s)) for s in sayings]
                if any(oracle.visible(sayer, tlp, org, "view") for sayer, tlp in tlps):
                    assert f"k{token}z" in shown["export"], f"k{token}z never reached {org}"
                    if token in world.scanned:
                        answered = ("iocs",) if org in world.spoke else ()  # participants
                        for path in ("stix", "misp", *answered):
                            assert f"k{token}z.net" in shown[path], f"k{token}z.net: {path}"
        for org in ORGS:
            told = await seen_before(world, org)
            for token in map(int, tokens(told)):
                assert oracle.allowed(token, org, "view"), f"k{token}z told to {org}"
            for token in world.scanned:
                sayings = oracle.sayings[token]
                if org in oracle.orgs and any(
                    oracle.visible(s.org, oracle.tlp_of(token, s), org, "view") for s in sayings
                ):
                    assert f"k{token}z.net " in told, (org, token, told)
        for org in ORGS:  # last: each opens an incident named like INC-1
            await check_suggestions(world, org)
    finally:
        await app.stop()


async def check_search(world: World, org: str) -> None:
    """`search` for each token finds INC-1 showing it exactly where the rule shows the
    token to `org`; elsewhere the incident is not found at all."""
    for token in world.oracle.sayings:
        before = len(world.adapter.sent)
        await world.command(org, f"search k{token}z")
        bodies = [s.message.body for s in world.adapter.sent[before:] if s.message]
        # the results; an answer listing no incident only repeats the query
        said = "\n".join(body for body in bodies if "INC-" in body)
        assert not SECRET.search(said), f"a secret in {org}'s search"
        for shown in map(int, tokens(said)):
            assert world.oracle.allowed(shown, org, "view"), f"k{shown}z in {org}'s search"
        if world.oracle.allowed(token, org, "view"):
            assert f"k{token}z" in said, f"search never found k{token}z for {org}"
        else:
            assert "INC-1" not in said, f"search hinted at k{token}z for {org}: {said!r}"


async def check_suggestions(world: World, org: str) -> None:
    """Opening an incident named by INC-1's title token suggests INC-1 (resolved) to the
    opener exactly when the rule shows them its title."""
    oracle = world.oracle
    before = len(world.adapter.sent)
    await world.command(org, f"open k{oracle.title_token}z")
    private = [s.text for s in world.adapter.sent[before:] if s.kind == "notify"]
    told = private[1:]  # after the answer to `open`
    for text in told:
        assert not SECRET.search(text), f"a secret in {org}'s suggestions"
        for shown in map(int, tokens(text)):
            assert oracle.allowed(shown, org, "view"), f"k{shown}z suggested to {org}"
    suggested = any("INC-1" in text for text in told)
    assert suggested == oracle.title_visible(reader=org, where="view"), (org, told)


@settings(
    # each example drives a whole multi-org incident through every view; set
    # WARROOM_PROPERTY_EXAMPLES higher for a longer search
    max_examples=int(os.environ.get("WARROOM_PROPERTY_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    pair_caps=caps,
    actions=steps,
    title_tlp=levels,
    opened_at=st.sampled_from(LEVELS),
    afterwards=lessons,
)
@example(  # the title said at TLP:CLEAR, the incident then RED: a partner brought in later
    # finds the `opened` entry it may see in the timeline, but is suggested nothing by title
    pair_caps={("acme", "cloud"): Tlp.RED, ("acme", "cert"): None, ("cert", "cloud"): None},
    actions=[("tlp", Tlp.RED), ("invite", "cloud"), ("update", "acme", None, False)],
    title_tlp=None,
    opened_at=Tlp.CLEAR,
    afterwards=[],
)
@example(  # another org's 📌 on a message never captured: the text is still its author's
    pair_caps={("acme", "cert"): Tlp.AMBER, ("acme", "cloud"): None, ("cert", "cloud"): None},
    actions=[("invite", "cert"), ("pin_uncaptured", "acme", "cert", Tlp.AMBER_STRICT)],
    title_tlp=None,
    opened_at=Tlp.AMBER,
    afterwards=[],
)
@example(  # lessons kept at home and shared, and a follow-up, from two organisations
    pair_caps={("acme", "cert"): Tlp.AMBER, ("acme", "cloud"): None, ("cert", "cloud"): None},
    actions=[("invite", "cert"), ("say", "cert", None, False)],
    title_tlp=None,
    opened_at=Tlp.AMBER,
    afterwards=[
        ("good", "acme", Tlp.RED, True),
        ("improve", "cert", Tlp.AMBER_STRICT, False),
        ("good", "cert", None, True),
        ("followup", "cert", Tlp.AMBER_STRICT, True),
        ("followup", "acme", None, False),
    ],
)
def test_every_output_path_shows_each_org_what_the_rule_allows_and_nothing_else(
    pair_caps: dict[tuple[str, str], Tlp | None],
    actions: list[Any],
    title_tlp: Tlp | None,
    opened_at: Tlp,
    afterwards: list[Any],
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copyfile(template(), folder / "warroom.db")
        url = f"sqlite:///{folder / 'warroom.db'}"
        asyncio.run(scenario(url, pair_caps, actions, title_tlp, opened_at, afterwards))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(
    max_examples=int(os.environ.get("WARROOM_PROPERTY_EXAMPLES", "50")) // 4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pair_caps=caps, actions=steps, title_tlp=levels, opened_at=st.sampled_from(LEVELS))
@example(  # tasks of two organisations at every marking, some ticked: every list is cut
    pair_caps={("acme", "cert"): Tlp.AMBER, ("acme", "cloud"): Tlp.GREEN, ("cert", "cloud"): None},
    actions=[
        ("invite", "cert"),
        ("invite", "cloud"),
        ("say", "cert", None, False),
        ("task", "acme", Tlp.CLEAR, False),
        ("task", "acme", Tlp.RED, False),
        ("task", "cert", Tlp.AMBER, False),
        ("task", "acme", Tlp.AMBER_STRICT, True),
        ("task", "cert", Tlp.GREEN, False),
        ("task", "acme", Tlp.AMBER, False),
        ("tick", 1, "acme"),
        ("tick", 3, "cert"),
        ("task", "cert", Tlp.RED, False),
        ("tick", 6, "acme"),
    ],
    title_tlp=None,
    opened_at=Tlp.AMBER,
)
def test_a_checklist_cut_short_shows_and_counts_only_what_the_rule_allows(
    pair_caps: dict[tuple[str, str], Tlp | None],
    actions: list[Any],
    title_tlp: Tlp | None,
    opened_at: Tlp,
) -> None:
    """The same oracle with a checklist of two tasks at most, so every checklist with more
    goes through the window: open ones first, then the latest ticked, of what the rule lets
    the room's organisation see."""
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copyfile(template(), folder / "warroom.db")
        url = f"sqlite:///{folder / 'warroom.db'}"
        with patch.object(checklist, "CHECKLIST_LIMIT", 2):
            asyncio.run(scenario(url, pair_caps, actions, title_tlp, opened_at, []))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- exercises: injects, the hot wash, the after-action report, improvement follow-ups ---

PARTS = {"victim": "acme", "provider": "cloud", "cert": "cert"}
full_caps = st.fixed_dictionaries({pair: st.sampled_from(LEVELS) for pair in PAIRS})
drill_injects = st.lists(
    st.tuples(st.sampled_from(("victim", "provider", "cert", "all")), levels, st.integers(0, 20)),
    min_size=1,
    max_size=5,
)
drill_steps = st.lists(
    st.one_of(
        st.tuples(st.just("say"), st.sampled_from(ORGS[:3]), levels, st.booleans()),
        st.tuples(st.just("wait"), st.integers(1, 15)),
        st.tuples(st.just("score"), st.integers(0, 2), st.booleans()),
    ),
    max_size=8,
)
drill_answers = st.lists(
    st.tuples(st.sampled_from(ORGS[:3]), levels, st.booleans(), st.integers(1, 2)), max_size=4
)


def drill(world: World, injects: list[Any], pending: dict[str, tuple[int, list[Saying]]]) -> str:
    """A scenario whose every inject and expectation carries a token, said for its part;
    the injects' sayings wait in `pending` until they are delivered."""
    lines = [
        'title = "Drill"',
        'tlp = "amber"',
        'parts = ["victim", "provider", "cert"]',
        'questions = ["What went well?", "What did not?"]',
    ]
    for n, (to, tlp, at) in enumerate(injects):
        token, text = world.text(tlp, secret=False)
        for part in PARTS if to == "all" else [to]:
            tlp_said = tlp if tlp is not None else Tlp.AMBER
            pending.setdefault(f"i{n}", (token, []))[1].append(Saying(PARTS[part], tlp_said))
        lines += ["[[injects]]", f'id = "i{n}"', f'at = "{at}m"', f'to = "{to}"']
        lines += [f'text = "{text}"']
    for n, part in enumerate(("victim", "provider", "cert")):
        token, text = world.text(None, secret=False)
        world.oracle.sayings[token] = [Saying(PARTS[part], world.oracle.incident_tlp)]
        lines += ["[[expectations]]", f'id = "e{n}"', f'text = "{text}"', f'by = "{part}"']
        lines += [f'within = "{10 + 5 * n}m"', "manual = true"]
    return "\n".join(lines) + "\n"


async def drill_scenario(
    url: str,
    folder: Path,
    pair_caps: dict[tuple[str, str], Tlp],
    injects: list[Any],
    actions: list[Any],
    replies: list[Any],
) -> None:
    config = Config(
        storage=StorageConfig(url=url, auto_upgrade=False),
        orgs=tuple(
            OrgConfig(
                id=o, platform="fake", workspace=o, digest_room=f"digest-{o}", **SPEAKS.get(o, {})
            )
            for o in ORGS
        ),
        sharing=tuple(Agreement(pair, cap) for pair, cap in pair_caps.items()),
        exercises=ExercisesConfig(dir=str(folder)),
    )
    adapter = FakeAdapter("fake")
    clock = FakeClock()
    app = build_app(config, adapters={"fake": adapter}, clock=clock)
    oracle = Oracle({frozenset(p): c for p, c in pair_caps.items()}, orgs=set(ORGS[:3]))
    world = World(app, adapter, oracle)
    world.spoke |= set(ORGS[:3])
    assert app.reminders is not None
    try:
        pending: dict[str, tuple[int, list[Saying]]] = {}
        (folder / "drill.toml").write_text(drill(world, injects, pending))
        parts = " ".join(f"--part {p}={o}" for p, o in PARTS.items())
        await world.command("acme", f"exercise start drill {parts}")
        assert set(world.rooms) == set(ORGS[:3])
        for org in ORGS[1:3]:  # speaking in its war room makes each a participant
            room = world.rooms[org]
            await app.core.handle(MessagePosted(world.actor(org), room, "here", world.event()))
        # each step checks what reached anyone against every saying known, delivered or not
        oracle.sayings |= {token: said for token, said in pending.values()}
        for action in [("wait", 0), *actions]:
            if action[0] == "say":
                _, org, tlp, secret = action
                token, text = world.text(tlp, secret)
                oracle.sayings[token] = [Saying(org, world.effective(tlp))]
                room = world.rooms[org]
                event = MessagePosted(world.actor(org), room, text, world.event(), f"m{token}")
                await app.core.handle(event)
            elif action[0] == "wait":
                clock.advance(timedelta(minutes=action[1]))
            else:
                await world.command("acme", f"exercise score e{action[1]} met")
            await app.reminders.exercises()
            await world.settle()
            world.check_new_outputs()
        await world.command("acme", "exercise end")
        world.check_new_outputs()
        for token, _ in pending.values():
            del oracle.sayings[token]
        with UnitOfWork(app.store.engine) as uow:
            sent = {i.inject_id for i in uow.exercises.injects(1) if i.state == "sent"}
        oracle.sayings |= {token: said for i, (token, said) in pending.items() if i in sent}
        for org, tlp, secret, number in replies:
            token, text = world.text(tlp, secret)
            oracle.sayings[token] = [Saying(org, world.effective(tlp))]
            await world.command(org, f"exercise answer {number} {text}")
            world.check_new_outputs()
        for org in ORGS[:3]:  # the missed expectations become each org's liaison's follow-ups
            await world.command("acme", f"role liaison @{world.actor(org).user.name}@{org}")
        await world.command("acme", "exercise followups")
        world.check_new_outputs()
        with UnitOfWork(app.store.engine) as uow:
            assert len(uow.followups.for_incident(1)) == len(drill_missed(uow))
        for org in ORGS[:3]:
            shown = views(world, org) | await dashboard_views(world, org)
            shown["timeline"] = await answers(world, org, "timeline")
            shown["followups"] = await answers(world, org, "followups")
            for path, text in shown.items():
                assert not SECRET.search(text), f"a secret in {org}'s {path}"
                for token in map(int, tokens(text)):
                    assert oracle.allowed(token, org, "view"), f"k{token}z in {org}'s {path}"
            for token, sayings in oracle.sayings.items():
                if any(oracle.visible(s.org, s.tlp, org, "view") for s in sayings):
                    assert f"k{token}z" in shown["export"], f"k{token}z never reached {org}"
    finally:
        await app.stop()


def drill_missed(uow: UnitOfWork) -> list[str]:
    return [e.expectation_id for e in uow.exercises.expectations(1) if e.met is False]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pair_caps=full_caps, injects=drill_injects, actions=drill_steps, replies=drill_answers)
@example(  # a RED inject for the victim, and the victim's answer kept at home
    pair_caps={pair: Tlp.AMBER for pair in PAIRS},
    injects=[("victim", Tlp.RED, 0), ("all", None, 5)],
    actions=[("wait", 6), ("say", "acme", None, False)],
    replies=[("acme", Tlp.AMBER_STRICT, True, 1), ("cert", None, False, 2)],
)
def test_exercise_injects_hot_wash_and_report_show_each_org_what_the_rule_allows(
    pair_caps: dict[tuple[str, str], Tlp],
    injects: list[Any],
    actions: list[Any],
    replies: list[Any],
) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copyfile(template(), folder / "warroom.db")
        url = f"sqlite:///{folder / 'warroom.db'}"
        asyncio.run(drill_scenario(url, folder, pair_caps, injects, actions, replies))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
