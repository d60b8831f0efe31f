"""Indicators in a war room through the real wiring, on SQLite and PostgreSQL: found in what
is said, listed, added, marked, durable across a crash, and correlated across incidents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest

from tests.fakes.bot import TestBot
from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.operations import intel
from warroom.bot.operations.audit import verify
from warroom.bot.runtime import extraction as extraction_module
from warroom.bot.runtime.extraction import BATCH
from warroom.storage.models import Observable
from warroom.storage.store import UnitOfWork


def observables(uow: UnitOfWork, key: str = "INC-1") -> dict[str, Observable]:
    incident = uow.incidents.by_key(key)
    assert incident is not None and incident.id is not None
    return {o.value: o for o in uow.observables.for_incident(incident.id)}


def timeline_length(bot: TestBot) -> int:
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None
        return incident.timeline_seq


def state(bot: TestBot) -> tuple[list[tuple[str, str, str, str, int]], int]:
    """Every observable's type, value, TLP, status and count, and the timeline's length."""
    with bot.db() as uow:
        found = sorted(
            (o.type, o.value, o.tlp, o.status, o.times_seen) for o in observables(uow).values()
        )
    return found, timeline_length(bot)


async def test_what_is_said_noted_updated_or_tasked_is_scanned_and_stored_per_incident(
    bot: TestBot,
) -> None:
    await bot.open('open "Phishing wave" --tlp amber')
    await bot.say("TLP:RED first hit from 45.77.12.9")
    await bot.send("note C2 is hxxps://evil-corp[.]com/gate.php")
    await bot.send("update TLP:GREEN blocking 45.77.12.9 at the edge")
    await bot.send("task add block 44d88612fea8a8f36de82e1278abb02f on endpoints")
    await bot.send("note internal host 10.1.2.3 and our www.example.com are not indicators")
    with bot.db() as uow:
        found = observables(uow)
        assert set(found) == {
            "45.77.12.9",
            "evil-corp.com",
            "https://evil-corp.com/gate.php",
            "44d88612fea8a8f36de82e1278abb02f",
        }
        ip = found["45.77.12.9"]
        assert (ip.type, ip.times_seen, ip.source_org) == ("ipv4", 2, "acme")
        assert ip.first_seq < ip.last_seq
        assert ip.tlp == "GREEN"  # seen under RED and GREEN: the least restrictive decides
        assert ip.pap == "AMBER" and ip.status == "active"
        assert found["44d88612fea8a8f36de82e1278abb02f"].type == "md5"
        assert found["https://evil-corp.com/gate.php"].tlp == "AMBER"


async def test_iocs_lists_them_and_the_type_filter_narrows(bot: TestBot) -> None:
    await bot.open()
    await bot.send("note seen 45.77.12.9 and evil-corp.com and 45.77.12.9 again")
    answer = (await bot.send("iocs"))[-1]
    assert answer.kind == "notify" and answer.message is not None
    assert "INC-1 indicators" in answer.message.title
    lines = answer.message.body.splitlines()
    assert lines == [
        "ipv4 45.77.12.9 · TLP:AMBER · PAP:AMBER · seen once (#3)",
        "domain evil-corp.com · TLP:AMBER · PAP:AMBER · seen once (#3)",
    ]
    only = (await bot.send("iocs --type domain"))[-1].message
    assert only is not None and only.body == lines[1]
    refused = (await bot.send("iocs --type colour"))[-1].text
    assert "unknown type 'colour'" in refused and "ipv4, ipv6" in refused


async def test_ioc_add_fp_and_tlp_are_each_a_timeline_entry_on_the_chain(bot: TestBot) -> None:
    await bot.open()
    added = (await bot.send('ioc add evil[.]net --tlp green --pap red --note "from a feed"'))[-1]
    assert added.text.endswith("alice added indicator evil.net (domain, TLP:GREEN, PAP:RED)")
    await bot.send("ioc add 45.77.12.9")
    await bot.send("ioc fp 45.77.12.9")
    set_to = (await bot.send("ioc tlp evil.net amber"))[-1].text
    assert "alice set evil.net to TLP:AMBER" in set_to
    stays = (await bot.send("ioc tlp evil.net clear"))[-1].text
    assert "it stays TLP:GREEN, as it was said" in stays
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        texts = [e.text for e in uow.timeline.of_kind(incident.id, "ioc")]
        assert texts == [
            "Indicator added: evil.net (domain): from a feed",
            "Indicator added: 45.77.12.9 (ipv4)",
            "Indicator 45.77.12.9 marked a false positive",
            "Indicator evil.net set to TLP:AMBER",
            "Indicator evil.net set to TLP:CLEAR",
        ]
        found = observables(uow)
        assert found["evil.net"].pap == "RED" and found["evil.net"].tlp == "GREEN"
        assert found["45.77.12.9"].status == "false-positive"  # kept
        assert verify(uow, "INC-1")[1] == []
    listed = (await bot.send("iocs"))[-1].message
    assert listed is not None
    assert "ipv4 45.77.12.9 · TLP:AMBER · PAP:AMBER · seen once (#4) · false positive" in (
        listed.body
    )


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("ioc add 10.0.0.7", "10.0.0.7 is a private or reserved address"),
        ("ioc add 300.1.1.1 --type ipv4", "'300.1.1.1' is not an IPv4 address"),
        ("ioc add evil.com --type colour", "unknown type 'colour'"),
        ("ioc add evil.com --tlp purple", "unknown TLP level 'purple'"),
        ("ioc add evil.com --pap purple", "unknown PAP level 'purple'"),
        ("ioc add not-an-indicator", "is not an indicator warroom knows"),
        ("ioc add", "VALUE is missing"),
        ("ioc fp 45.77.99.99", "there is no indicator 45.77.99.99 in INC-1"),
        ("ioc tlp 45.77.12.9 purple", "unknown TLP level 'purple'"),
        ("ioc tlp 45.77.12.9", "give the VALUE and then the LEVEL"),
        ("ioc fp 45.77.12.9 --tlp red", "--tlp, --pap and --note go with `ioc add`"),
        ("ioc zap 45.77.12.9", "unknown ioc action 'zap'"),
    ],
)
async def test_bad_input_gets_a_reason_and_the_usage_and_changes_nothing(
    bot: TestBot, command: str, reason: str
) -> None:
    await bot.open()
    await bot.send("note seen 45.77.12.9")
    before = state(bot)
    answer = (await bot.send(command))[-1]
    assert answer.kind == "notify"
    assert reason in answer.text and "usage: ioc" in answer.text
    assert state(bot) == before


async def test_ioc_fp_twice_is_refused_and_changes_nothing(bot: TestBot) -> None:
    await bot.open()
    await bot.send("note seen 45.77.12.9")
    await bot.send("ioc fp 45.77.12.9")
    before = state(bot)
    again = (await bot.send("ioc fp 45.77.12.9"))[-1].text
    assert "45.77.12.9 is marked a false positive already" in again
    assert state(bot) == before


async def test_what_was_said_while_nothing_scanned_is_scanned_on_start_and_only_once(
    bot: TestBot,
) -> None:
    extraction = bot.app.extraction
    assert extraction is not None
    await bot.open()
    bot.app.core.listeners.remove(extraction)  # as if the process died after storing them
    await bot.say("beacon to 45.77.12.9")
    await bot.send("note and to evil-corp.com")
    with bot.db() as uow:
        assert observables(uow) == {}
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        work = intel.pending(uow, incident.id)
    assert work is not None and len(work.entries) == 2
    await extraction.recover()  # what App.start runs
    first = state(bot)
    assert [v for _, v, *_ in first[0]] == ["evil-corp.com", "45.77.12.9"]
    # a second scan of the same entries (another process, a retried step) adds nothing
    found = intel.find_all(work.texts, frozenset())
    added = bot.app.store.transaction_sync(
        lambda uow: intel.store_found(uow, bot.config, work, found)
    )
    await extraction.recover()
    assert added == 0 and state(bot) == first


async def test_a_backlog_is_scanned_in_batches_on_the_loop_each_once(bot: TestBot) -> None:
    extraction = bot.app.extraction
    assert extraction is not None
    await bot.open()
    bot.app.core.listeners.remove(extraction)
    said = BATCH * 2 + 7
    for n in range(said):  # every address twice: a sighting each, counted across batches
        await bot.say(f"beacon to 45.77.{n % (said // 2 + 1)}.9 and 185.220.1.7")
    asked: list[tuple[str, bool]] = []
    handed = bot.app.store.transaction

    async def seen_asked(work: Any, *, deadline: float | None = None, light: bool = False) -> Any:
        if isinstance(work, partial):
            asked.append((work.func.__name__, light))
        return await handed(work, deadline=deadline, light=light)

    bot.app.store.transaction = seen_asked  # type: ignore[method-assign]
    await extraction.recover()
    bot.app.store.transaction = handed  # type: ignore[method-assign]
    # light: on SQLite run on the event loop when the write lock is free, never queued on the
    # writer thread behind a long batch; a batch is read (and sent to be scanned) before the
    # one before it is stored
    read, save = ("pending", True), ("_save", True)
    assert asked == [read, read, save, read, save, save], "three batches, each light"
    with bot.db() as uow:
        seen = {value: o.times_seen for value, o in observables(uow).items()}
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        assert uow.observables.scanned_to(incident.id) == incident.timeline_seq
    assert seen["185.220.1.7"] == said
    assert sum(n for value, n in seen.items() if value.startswith("45.77.")) == said
    before = state(bot)
    await extraction.recover()
    assert state(bot) == before


async def test_a_worker_gone_mid_backlog_leaves_nothing_unscanned(bot: TestBot) -> None:
    """The worker killed (the OOM killer) while batches are handed to it one ahead: what it
    held is scanned in this process instead, each entry once."""
    extraction = bot.app.extraction
    assert extraction is not None
    await bot.open()
    await bot.say("beacon to 45.77.250.9")  # the worker is started, and scans this
    await bot.app.core.settled()
    pool = extraction_module._pool
    assert pool is not None and extraction.in_worker
    bot.app.core.listeners.remove(extraction)
    said = BATCH * 2 + 3
    for n in range(said):
        await bot.say(f"beacon to 45.77.{n}.7")
    try:
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()
            process.join()
        await extraction.recover()
    finally:
        extraction_module._pool = None  # the next app here starts a worker of its own
        pool.shutdown(wait=False)
    assert not extraction.in_worker, "it said it scans in this process now"
    with bot.db() as uow:
        seen = {value: o.times_seen for value, o in observables(uow).items()}
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        assert uow.observables.scanned_to(incident.id) == incident.timeline_seq
    assert all(seen[f"45.77.{n}.7"] == 1 for n in range(said)), seen
    assert seen["45.77.250.9"] == 1


# --- correlation across incidents and organisations --------------------------------------


@pytest.fixture
async def orgs(store_url: str) -> AsyncIterator[CrossOrgBot]:
    bot = CrossOrgBot(store_url)
    # INC-1: acme with cert (agreement up to RED)
    await bot.command(
        'open "Leaked keys" --sev 2 --tlp amber --org cert', name="alice", org="acme"
    )
    await bot.say("beacon to 45.77.12.9", name="alice", org="acme")
    await bot.say("TLP:RED and to 45.77.12.10", name="alice", org="acme")
    await bot.command("resolve", name="alice", org="acme")
    yield bot
    await bot.app.stop()


def notices(bot: CrossOrgBot, org: str) -> list[str]:
    return [p for p in bot.posts_in(org) if "was seen in" in p]


async def test_an_org_is_told_once_where_it_saw_an_indicator_before(orgs: CrossOrgBot) -> None:
    orgs.rooms.pop("cert")
    await orgs.command('open "Odd traffic" --sev 3', name="cora", org="cert")  # INC-2
    await orgs.say("we see 45.77.12.9 here too", name="cora", org="cert")
    await orgs.say("45.77.12.9 again", name="cora", org="cert")
    day = orgs.clock.now().date().isoformat()
    assert notices(orgs, "cert") == [f"🔎 45.77.12.9 was seen in INC-1 ({day}, SEV2, resolved)"]


async def test_an_exercise_and_a_real_incident_never_correlate(orgs: CrossOrgBot) -> None:
    orgs.rooms.pop("cert")
    await orgs.command('open "Drill" --sev 3 --exercise', name="cora", org="cert")  # INC-2
    await orgs.say("the drill sees 45.77.12.9", name="cora", org="cert")
    orgs.rooms.pop("cert")
    await orgs.command('open "Real again" --sev 3', name="cora", org="cert")  # INC-3
    await orgs.say("45.77.12.9 for real", name="cora", org="cert")
    day = orgs.clock.now().date().isoformat()
    # the real one is told of the real INC-1 only; the drill of nothing
    assert notices(orgs, "cert") == [f"🔎 45.77.12.9 was seen in INC-1 ({day}, SEV2, resolved)"]


async def test_an_incident_the_org_may_not_see_is_never_named_hinted_or_counted(
    orgs: CrossOrgBot,
) -> None:
    orgs.rooms.pop("cert")
    await orgs.command('open "Odd traffic" --sev 3', name="cora", org="cert")  # INC-2
    await orgs.say("we see 45.77.12.10", name="cora", org="cert")  # acme said it RED in INC-1
    # cloud takes no part in INC-1 or INC-2
    await orgs.command('open "Cloud side" --sev 3', name="carl", org="cloud")  # INC-3
    await orgs.say("we see 45.77.12.9 and 45.77.12.10", name="carl", org="cloud")
    assert notices(orgs, "cert") == []
    assert notices(orgs, "cloud") == []
    for org, own in (("cert", "INC-2"), ("cloud", "INC-3")):
        for post in orgs.posts_in(org):
            if post.startswith(f"🔏 {own} #"):
                continue  # the room's own incident's signed checkpoint
            assert "INC-1" not in post and "INC-2" not in post.replace("INC-3", "")
    # acme, who said both in INC-1, hears of INC-2 only where it takes part: nowhere
    await orgs.command('open "Again" --sev 4', name="alice", org="acme")  # INC-4
    await orgs.say("45.77.12.10 is back", name="alice", org="acme")
    day = orgs.clock.now().date().isoformat()
    assert notices(orgs, "acme") == [f"🔎 45.77.12.10 was seen in INC-1 ({day}, SEV2, resolved)"]
