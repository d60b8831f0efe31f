"""`search` across the archive, as each organisation may see it, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from alembic import command
from sqlmodel import col, select

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.domain.events import MessageRef, ReactionAdded
from warroom.bot.operations import search as archive
from warroom.storage.migrate import alembic_config, upgrade
from warroom.storage.models import SearchEntry
from warroom.storage.store import UnitOfWork


@pytest.fixture
async def orgs(store_url: str) -> AsyncIterator[CrossOrgBot]:
    """INC-1 of acme with cert (cap RED) and cloud (cap GREEN with acme, AMBER with cert)."""
    bot = CrossOrgBot(store_url)
    await bot.command(
        'open "Leaked keys on the build server" --tlp amber --org cert --org cloud',
        name="alice",
        org="acme",
    )
    yield bot
    await bot.app.stop()


async def answer(bot: CrossOrgBot, text: str, *, name: str, org: str) -> str:
    """What the caller alone is told."""
    adapter = bot.adapter(org)
    before = len(adapter.sent)
    await bot.command(text, name=name, org=org)
    private = [s for s in adapter.sent[before:] if s.kind == "notify" and s.user]
    assert private and all(s.user.user_id == name for s in private if s.user), private
    return "\n".join(s.text for s in private)


def index_rows(bot: CrossOrgBot) -> list[tuple[int, int, str, str, int]]:
    with UnitOfWork(bot.app.store.engine) as uow:
        query = select(SearchEntry).order_by(col(SearchEntry.incident_id), col(SearchEntry.seq))
        rows = uow.session.exec(query)
        return [(r.incident_id, r.seq, r.kind, r.org, r.tlp) for r in rows]


async def test_a_red_entry_of_another_org_never_matches(orgs: CrossOrgBot) -> None:
    await orgs.command(
        "note TLP:RED the attacker used zebrafish tooling", name="alice", org="acme"
    )
    own = await answer(orgs, "search zebrafish", name="alice", org="acme")
    assert "INC-1: Leaked keys on the build server" in own
    assert "*zebrafish*" in own
    for org, name in (("cert", "cora"), ("cloud", "carl"), ("rogue", "rita")):
        other = await answer(orgs, "search zebrafish", name=name, org=org)
        assert "INC-1" not in other and "zebrafish tooling" not in other
        assert "Nothing found for zebrafish." in other


async def test_each_org_finds_what_its_agreement_carries(orgs: CrossOrgBot) -> None:
    await orgs.command("note rotated the deploy credentials", name="alice", org="acme")  # AMBER
    await orgs.command("note TLP:GREEN rotated the webhook secret", name="alice", org="acme")
    cert = await answer(orgs, "search rotated", name="cora", org="cert")
    assert "INC-1" in cert
    cloud = await answer(orgs, "search rotated", name="carl", org="cloud")
    assert "*rotated* the webhook secret" in cloud and "deploy" not in cloud
    assert "Nothing found" in await answer(orgs, "search deploy", name="carl", org="cloud")
    # every word must match
    assert "INC-1" in await answer(orgs, "search rotated webhook", name="carl", org="cloud")
    assert "INC-1" not in await answer(orgs, "search rotated nowhere", name="carl", org="cloud")


async def test_an_org_outside_the_incident_finds_nothing_of_it(orgs: CrossOrgBot) -> None:
    await orgs.command("note TLP:CLEAR public advisory published", name="alice", org="acme")
    for words in ("leaked", "advisory"):
        said = await answer(orgs, f"search {words}", name="rita", org="rogue")
        assert "INC-1" not in said and f"Nothing found for {words}." in said


async def test_a_withheld_title_shows_as_the_withheld_line_and_never_matches(
    orgs: CrossOrgBot,
) -> None:
    await orgs.command(
        'open "TLP:AMBER+STRICT payroll breach" --tlp green --org cert', name="alice", org="acme"
    )
    inc2 = orgs.rooms["cert"]
    await orgs.command("note payroll exports seen on a paste site", name="cora", org="cert")
    assert orgs.rooms["cert"] == inc2
    said = await answer(orgs, "search payroll", name="cora", org="cert")
    assert "INC-2 (title withheld: TLP:AMBER+STRICT)" in said
    assert "breach" not in said and "*payroll* exports seen" in said
    assert "INC-2" not in await answer(orgs, "search breach", name="cora", org="cert")
    own = await answer(orgs, "search breach", name="alice", org="acme")
    assert "INC-2: TLP:AMBER+STRICT payroll breach" in own


async def test_secrets_are_neither_found_nor_shown(orgs: CrossOrgBot) -> None:
    await orgs.command(
        "note the vault password: Hunter2Swordfish99 was reused", name="alice", org="acme"
    )
    assert "Nothing found" in await answer(
        orgs, "search Hunter2Swordfish99", name="alice", org="acme"
    )
    said = await answer(orgs, "search vault", name="alice", org="acme")
    assert "*vault*" in said and "Hunter2Swordfish99" not in said


async def test_edits_move_an_entry_in_or_out_of_another_orgs_results(orgs: CrossOrgBot) -> None:
    red = await orgs.say("TLP:RED lateral movement via jumphost", name="alice", org="acme")
    green = await orgs.say("TLP:GREEN beacon to sinkhole", name="alice", org="acme")
    assert "Nothing found" in await answer(orgs, "search jumphost", name="carl", org="cloud")
    assert "INC-1" in await answer(orgs, "search sinkhole", name="carl", org="cloud")
    await orgs.edit(
        red, "TLP:GREEN lateral movement via jumphost, confirmed", name="alice", org="acme"
    )
    await orgs.edit(green, "TLP:RED beacon to sinkhole", name="alice", org="acme")
    assert "INC-1" in await answer(orgs, "search jumphost", name="carl", org="cloud")
    assert "Nothing found" in await answer(orgs, "search sinkhole", name="carl", org="cloud")
    assert "INC-1" in await answer(orgs, "search sinkhole", name="alice", org="acme")


async def test_the_ten_best_newest_first_on_ties_and_since(store_url: str) -> None:
    bot = CrossOrgBot(store_url)
    try:
        for n in range(12):
            bot.clock.advance(timedelta(days=1))
            await bot.command(f'open "outage number{n} of the mailer"', name="alice", org="acme")
        await bot.command("note mailer mailer mailer keeps crashing", name="alice", org="acme")
        said = await answer(bot, "search mailer", name="alice", org="acme")
        keys = [line.split(":")[0] for line in said.splitlines() if line.startswith("INC-")]
        assert keys[0] == "INC-12"  # its note says it most often
        assert keys[1:] == [f"INC-{n}" for n in range(11, 2, -1)]  # ties: newest first
        recent = await answer(bot, "search mailer --since 2d", name="alice", org="acme")
        assert [line.split(":")[0] for line in recent.splitlines() if "INC-" in line] == [
            "INC-12",
            "INC-11",
            "INC-10",
        ]
    finally:
        await bot.app.stop()


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ('search ""', "TEXT is missing"),
        ('search "?! ..."', "TEXT is missing: the words to look for"),
        ("search leaked --since soon", "'soon' is not a duration like 45s, 30m, 4h or 1d"),
        ("search leaked --since 0d", "'0d' is not a duration like 45s, 30m, 4h or 1d"),
    ],
)
async def test_bad_input_gets_one_line_and_changes_nothing(
    orgs: CrossOrgBot, command: str, reason: str
) -> None:
    before = index_rows(orgs)
    said = await answer(orgs, command, name="alice", org="acme")
    assert reason in said and "search TEXT [--since D]" in said
    assert index_rows(orgs) == before


async def test_the_index_is_written_with_each_entry_and_never_doubles(orgs: CrossOrgBot) -> None:
    await orgs.command("note first words", name="alice", org="acme")
    await orgs.command("sev 2", name="alice", org="acme")  # a setting: nobody's words
    await orgs.command("task add TLP:RED check the backups", name="alice", org="acme")
    rows = index_rows(orgs)
    kinds = [kind for _, _, kind, _, _ in rows]
    assert kinds == ["opened", "note", "task"]
    assert rows[2][4] == 4  # the task's own RED marking
    assert len({(i, seq) for i, seq, *_ in rows}) == len(rows)


async def test_open_suggests_similar_past_incidents_privately_after_the_answer(
    orgs: CrossOrgBot,
) -> None:
    orgs.clock.advance(timedelta(hours=2))
    await orgs.command("resolve blocked the phishing sender domain", name="alice", org="acme")
    orgs.clock.advance(timedelta(days=1))
    await orgs.command(
        'open "TLP:RED phishing against the build server" --org cert', name="alice", org="acme"
    )
    await orgs.command("resolve TLP:RED it was a drill", name="alice", org="acme")
    orgs.clock.advance(timedelta(days=1))
    await orgs.command('open "Leaked keys in the wiki"', name="ann", org="acme")
    await orgs.command('open "keys stolen from a build server"', name="zed", org="acme")  # open
    adapter = orgs.adapter("acme")
    before = len(adapter.sent)
    await orgs.command('open "Build server keys leaked again"', name="alice", org="acme")
    sent = adapter.sent[before:]
    private = [s for s in sent if s.kind == "notify"]
    assert [s.message.title.split(":")[0] for s in private if s.message] == [
        "Opened INC-5",
        "Similar past incidents",
    ]
    suggested = private[1].text
    assert "INC-1: Leaked keys on the build server" in suggested
    assert "Jan 1, 2026 · resolved · time to resolve: 2 hours" in suggested
    assert "Resolved: blocked the phishing sender domain" in suggested
    assert "INC-2: TLP:RED phishing against the build server" in suggested
    assert "it was a drill" in suggested  # acme's own words, in its own view
    assert "INC-3" not in suggested and "INC-4" not in suggested  # open, or no shared word
    assert suggested.index("INC-1") < suggested.index("INC-2")  # "leaked" matches too

    cert = orgs.adapter("cert")
    before = len(cert.sent)
    await orgs.command('open "build server keys"', name="cora", org="cert")
    told = "\n".join(s.text for s in cert.sent[before:] if s.kind == "notify")
    assert "INC-1: Leaked keys on the build server" in told
    assert "INC-2 (title withheld: TLP:RED)" not in told  # matched only by its title
    assert "drill" not in told


async def test_the_archive_is_searched_for_suggestions_only_after_open_is_answered(
    orgs: CrossOrgBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await orgs.command("resolve done", name="alice", org="acme")
    adapter = orgs.adapter("acme")
    answered_by_then: list[list[str]] = []
    looked_for = archive.similar

    def similar(uow: UnitOfWork, *args: object, **kwargs: object) -> list[archive.Found]:
        answered_by_then.append([s.text for s in adapter.sent if s.kind == "notify"])
        return looked_for(uow, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archive, "similar", similar)
    before = len(adapter.sent)
    await orgs.command('open "leaked keys again"', name="alice", org="acme")
    [answered] = answered_by_then
    assert any("Opened INC-2" in text for text in answered)
    told = [s.message.title for s in adapter.sent[before:] if s.kind == "notify" and s.message]
    assert told == ["Opened INC-2: leaked keys again", "Similar past incidents"]


async def test_suggestions_wait_in_the_outbox_while_the_platform_is_down(
    orgs: CrossOrgBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await orgs.command("resolve done", name="alice", org="acme")
    adapter = orgs.adapter("acme")
    real_notify = adapter.notify

    async def answer_then_fail(*args: object) -> None:
        await real_notify(*args)  # type: ignore[arg-type]
        adapter.down = True  # down just after the answer to `open`

    monkeypatch.setattr(adapter, "notify", answer_then_fail)
    await orgs.command('open "leaked keys again"', name="alice", org="acme")
    monkeypatch.setattr(adapter, "notify", real_notify)
    told = [s.message.title for s in adapter.sent if s.kind == "notify" and s.message]
    assert told[-1] == "Opened INC-2: leaked keys again"
    adapter.down = False
    orgs.clock.advance(timedelta(minutes=5))
    await orgs.app.outbox.drain()
    told = [s.message.title for s in adapter.sent if s.kind == "notify" and s.message]
    assert told[-2:] == ["Opened INC-2: leaked keys again", "Similar past incidents"]
    await orgs.app.outbox.drain()  # delivered once
    assert [s.message.title for s in adapter.sent if s.kind == "notify" and s.message] == told


async def test_nothing_is_suggested_to_an_org_that_took_no_part(orgs: CrossOrgBot) -> None:
    await orgs.command("resolve done", name="alice", org="acme")
    rogue = orgs.adapter("rogue")
    before = len(rogue.sent)
    await orgs.command('open "leaked keys on a build server"', name="rita", org="rogue")
    titles = [s.message.title for s in rogue.sent[before:] if s.kind == "notify" and s.message]
    assert titles == ["Opened INC-2: leaked keys on a build server"]


async def test_the_migration_indexes_what_is_stored_as_appending_did(store_url: str) -> None:
    bot = CrossOrgBot(store_url)
    words = ("jumphost", "sinkhole", "leaked", "backups", "vault", "quietly")
    try:
        await bot.command(
            'open "Leaked keys on the build server" --org cloud', name="alice", org="acme"
        )
        red = await bot.say("TLP:RED lateral movement via jumphost", name="alice", org="acme")
        green = await bot.say("TLP:GREEN beacon to sinkhole", name="alice", org="acme")
        room = bot.rooms["acme"]
        await bot.app.core.handle(
            ReactionAdded(bot.actor("alice", "acme"), room, MessageRef(room, green), "📌", "p1")
        )
        await bot.edit(red, "TLP:GREEN lateral movement via jumphost", name="alice", org="acme")
        await bot.edit(green, "TLP:RED beacon to sinkhole", name="alice", org="acme")
        await bot.command("task add check the backups", name="alice", org="acme")
        await bot.command(
            "note vault password: Hunter2Swordfish99 quietly", name="carl", org="cloud"
        )
        await bot.command("tlp green", name="alice", org="acme")
        live = index_rows(bot)
        found = {
            (w, org): await answer(bot, f"search {w}", name=name, org=org)
            for w in words
            for org, name in (("acme", "alice"), ("cloud", "carl"))
        }
    finally:
        await bot.app.stop()
    assert [kind for _, _, kind, _, _ in live].count("pinned") == 1
    command.downgrade(alembic_config(store_url), "0008")
    upgrade(store_url)
    again = CrossOrgBot(store_url)
    try:
        assert index_rows(again) == live
        for (w, org), said in found.items():
            name = "alice" if org == "acme" else "carl"
            assert await answer(again, f"search {w}", name=name, org=org) == said
        assert "*jumphost*" in found[("jumphost", "cloud")]
        assert "Nothing found" in found[("sinkhole", "cloud")]
    finally:
        await again.app.stop()


async def test_matches_past_the_first_window_are_found(
    orgs: CrossOrgBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "FIRST_WINDOW", 2)
    await orgs.command("note the needle was in the build logs", name="alice", org="acme")
    for n in range(8):  # newer, better or equal matches cert takes no part in
        await orgs.command(f'open "needle needle {n}"', name="alice", org="acme")
    said = await answer(orgs, "search needle", name="cora", org="cert")
    assert [line for line in said.splitlines() if line.startswith("INC-")] == [
        "INC-1: Leaked keys on the build server"
    ]
    assert "the *needle* was in the build logs" in said
    own = await answer(orgs, "search needle", name="alice", org="acme")
    assert len([line for line in own.splitlines() if line.startswith("INC-")]) == 9
