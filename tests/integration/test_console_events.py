"""The console plays every chat event (`:reply`, `:edit`, `:delete`, `:react` on numbered
messages) through the real wiring, with two organisations' rooms in one terminal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from sqlmodel import select

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, OrgConfig, SharingConfig, StorageConfig
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.export import incident_export
from warroom.storage.models import Outbox
from warroom.storage.store import UnitOfWork

ACME_ROOM = "inc-1-leaked-keys"
CERT_ROOM = "inc-1-leaked-keys-2"
SHOWN = re.compile(r"^\[(\d+)\] #(\S+) (\S+?)(?: \(reply to (\[\d+\]|an earlier message)\))?: ")


@dataclass
class Console:
    """A `warroom console` session in this process: type lines, read what it printed."""

    adapter: ConsoleAdapter
    app: App
    out: StringIO

    async def type(self, *lines: str) -> list[str]:
        """Feed lines as a person would type them; the lines the console printed meanwhile."""
        before = len(self.out.getvalue())
        for line in lines:
            assert await self.adapter.feed(line)
            await self.app.services.outbox.drain()
        return self.out.getvalue()[before:].splitlines()

    async def say(self, text: str) -> int:
        """Say something in the current room; the number the console gave it."""
        printed = await self.type(text)
        return number_of(printed, text)

    def timeline(self) -> list[dict[str, Any]]:
        data = self.app.store.transaction_sync(
            lambda uow: incident_export(uow, "INC-1", config=self.app.config)
        )
        return list(data["timeline"])

    def outbox(self) -> int:
        with UnitOfWork(self.app.store.engine) as uow:
            return len(uow.session.exec(select(Outbox)).all())


def number_of(printed: list[str], text: str, room: str = "") -> int:
    """The number of the message line ending in `text` (in `room`, if given)."""
    for line in printed:
        shown = SHOWN.match(line)
        if shown and line.endswith(text) and (not room or shown[2] == room):
            return int(shown[1])
    raise AssertionError(f"no message {text!r} in {printed}")


def shown_lines(printed: list[str]) -> list[re.Match[str]]:
    return [m for m in map(SHOWN.match, printed) if m]


@pytest.fixture
async def console(store_url: str) -> AsyncIterator[Console]:
    config = Config(
        storage=StorageConfig(url=store_url, auto_upgrade=False),
        orgs=(
            OrgConfig(id="acme", name="ACME Corp", platform="console", liaison="alice"),
            OrgConfig(id="cert", name="CERT", platform="console", liaison="bob"),
        ),
        sharing=(SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.AMBER),),
    )
    out = StringIO()
    adapter = ConsoleAdapter(user="alice", org="acme", stdin=StringIO(), stdout=out)
    app = build_app(config, adapters={"console": adapter}, clock=FakeClock())
    await adapter.start(app.core.handle)
    session = Console(adapter, app, out)
    await session.type('/incident open "Leaked keys" --sev 2 --tlp amber --org cert')
    assert adapter.room == ACME_ROOM and CERT_ROOM in adapter.rooms
    yield session
    await app.stop()


async def test_every_message_shown_gets_a_number_of_one_sequence_across_rooms(
    console: Console,
) -> None:
    printed = await console.type("TLP:GREEN we see logins from 203.0.113.9")
    mine = number_of(printed, "TLP:GREEN we see logins from 203.0.113.9", ACME_ROOM)
    assert (
        printed[0] == f"[{mine}] #{ACME_ROOM} alice@acme: TLP:GREEN we see logins from 203.0.113.9"
    )
    copy = number_of(printed, "[TLP:GREEN]", CERT_ROOM)
    assert copy == mine + 1
    assert printed[-1] == "    [ACME] alice: TLP:GREEN we see logins from 203.0.113.9"
    every = [int(m[1]) for m in shown_lines(console.out.getvalue().splitlines())]
    assert every == list(range(1, len(every) + 1)), "the cards of both rooms are numbered too"
    assert "* [1] pinned in #" + ACME_ROOM in console.out.getvalue()
    # the card's refreshes waiting while cert's room was linked are one: it is posted current
    # (naming cert's liaison) and not edited afterwards
    card = console.out.getvalue().split("* [1] pinned")[0]
    assert "Liaison (cert)  bob" in card
    assert "* [1] edited" not in console.out.getvalue()


async def test_a_reply_is_threaded_in_the_core_and_under_the_copies(console: Console) -> None:
    original = await console.say("TLP:GREEN seen this?")
    copy = original + 1
    await console.type(":as bob@cert", f":room {CERT_ROOM}")
    printed = await console.type(f":reply {copy} TLP:GREEN yes, same here")
    reply = number_of(printed, "yes, same here", CERT_ROOM)
    assert (
        printed[0]
        == f"[{reply}] #{CERT_ROOM} bob@cert (reply to [{copy}]): TLP:GREEN yes, same here"
    )
    back = [m for m in shown_lines(printed) if m[2] == ACME_ROOM]
    assert [(m[3], m[4]) for m in back] == [("warroom", f"[{original}]")], printed
    entries = console.timeline()
    said = [e for e in entries if e["kind"] == "message"]
    assert said[-1]["text"] == "TLP:GREEN yes, same here" and said[-1]["actor"]["org"] == "cert"
    assert "relayed to acme" in entries[-1]["text"]
    shown = console.adapter.book.get(reply)
    assert shown is not None
    with UnitOfWork(console.app.store.engine) as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        recorded = uow.timeline.by_source(incident.id, shown.message_id)
        assert recorded is not None and recorded.text == "TLP:GREEN yes, same here"


async def test_an_edit_reaches_the_copy_in_the_other_orgs_room(console: Console) -> None:
    mine = await console.say("TLP:GREEN first version")
    printed = await console.type(f":edit {mine} TLP:GREEN second version")
    assert printed == [
        f"* [{mine}] edited: TLP:GREEN second version",
        f"* [{mine + 1}] edited: [TLP:GREEN]",
        "    [ACME] alice: TLP:GREEN second version",
    ]
    edited, relay = console.timeline()[-2:]
    assert edited["kind"] == "edited" and edited["text"].endswith(": TLP:GREEN second version")
    assert relay["kind"] == "relay" and "edit from alice (acme): relayed to cert" in relay["text"]


async def test_a_delete_removes_the_copy_and_then_nothing_acts_on_it(console: Console) -> None:
    mine = await console.say("TLP:GREEN oops, wrong room")
    printed = await console.type(f":delete {mine}")
    assert printed == [f"* [{mine}] deleted", f"* [{mine + 1}] deleted"]
    deleted = console.timeline()[-1]
    assert deleted["kind"] == "deleted" and "1 relayed copies deleted" in deleted["text"]
    before = console.timeline()
    for line in (f":edit {mine} x", f":delete {mine}", f":react {mine} 📌", f":reply {mine} x"):
        verb = line.split()[0]
        assert await console.type(line) == [f"⚠ {verb}: [{mine}] was deleted"]
    await console.type(":as bob@cert", f":room {CERT_ROOM}")
    assert await console.type(f":react {mine + 1} 📌") == [f"⚠ :react: [{mine + 1}] was deleted"]
    assert console.timeline() == before


@pytest.mark.parametrize("emoji", ["📌", "pushpin", ":pushpin:"])
async def test_a_pushpin_pins_the_message_on_the_timeline(console: Console, emoji: str) -> None:
    mine = await console.say("TLP:GREEN the key was rotated at 09:12")
    await console.type(":as bob@acme")
    printed = await console.type(f":react {mine} {emoji}")
    assert printed == [f"* [{mine}] bob@acme reacted {emoji.strip(':')}"]
    pinned = console.timeline()[-1]
    assert pinned["kind"] == "pinned"
    seq = next(e["seq"] for e in console.timeline() if e["text"].endswith("rotated at 09:12"))
    assert pinned["text"] == f"📌 #{seq} alice: TLP:GREEN the key was rotated at 09:12"
    assert pinned["actor"]["user_id"] == "bob"


async def test_another_reaction_is_shown_and_not_recorded(console: Console) -> None:
    mine = await console.say("TLP:GREEN hello")
    before = console.timeline()
    assert await console.type(f":react {mine} 👍") == [f"* [{mine}] alice@acme reacted 👍"]
    assert console.timeline() == before


ELSEWHERE = f" is in #{CERT_ROOM}, not here in #{ACME_ROOM} (`:room {CERT_ROOM}` first)"
BAD_FORMS = [
    (":reply", ":reply needs a message number and the text: :reply N TEXT"),
    (":reply {mine}", ":reply needs a message number and the text: :reply N TEXT"),
    (":reply me too", ":reply needs a message number and the text: :reply N TEXT"),
    (":edit", ":edit needs a message number and the new text: :edit N TEXT"),
    (":edit {mine}", ":edit needs a message number and the new text: :edit N TEXT"),
    (":edit -1 x", ":edit needs a message number and the new text: :edit N TEXT"),
    (":delete", ":delete needs a message number: :delete N"),
    (":delete {mine} now", ":delete needs a message number: :delete N"),
    (":delete last", ":delete needs a message number: :delete N"),
    (":react {mine}", ":react needs a message number and an emoji: :react N EMOJI"),
    (":react {mine} 📌 👍", ":react needs a message number and an emoji: :react N EMOJI"),
    (":reply 999 hi", ":reply: there is no message [999]"),
    (":edit 999 x", ":edit: there is no message [999]"),
    (":delete 999", ":delete: there is no message [999]"),
    (":react 999 📌", ":react: there is no message [999]"),
    (":reply {copy} hi", ":reply: [{copy}]" + ELSEWHERE),
    (":react {copy} 📌", ":react: [{copy}]" + ELSEWHERE),
    (":edit {copy} x", ":edit: [{copy}] is warroom's; you, alice@acme, may edit only yours"),
    (":delete {copy}", ":delete: [{copy}] is warroom's; you, alice@acme, may delete only yours"),
    (":edit {bobs} x", ":edit: [{bobs}] is bob@acme's; you, alice@acme, may edit only yours"),
    (":delete {bobs}", ":delete: [{bobs}] is bob@acme's; you, alice@acme, may delete only yours"),
]


@pytest.mark.parametrize(("line", "error"), BAD_FORMS)
async def test_a_bad_form_is_a_one_line_error_and_changes_nothing(
    console: Console, line: str, error: str
) -> None:
    mine = await console.say("TLP:GREEN mine")
    await console.type(":as bob@acme")
    bobs = await console.say("TLP:GREEN bob's")
    await console.type(":as alice@acme")
    numbers = {"mine": mine, "copy": mine + 1, "bobs": bobs}
    last = max(int(m[1]) for m in shown_lines(console.out.getvalue().splitlines()))
    before, queued = console.timeline(), console.outbox()
    printed = await console.type(line.format(**numbers))
    assert printed == ["⚠ " + error.format(**numbers)]
    assert console.timeline() == before and console.outbox() == queued
    assert console.adapter.book.get(last + 1) is None, "no message was sent"
    for number in numbers.values():
        shown = console.adapter.book.get(number)
        assert shown is not None and not shown.deleted
