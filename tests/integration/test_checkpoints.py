"""Checkpoints are taken when an incident opens, moves and on the interval; their lines
are the bot's own: never relayed, never on the timeline, and they show nothing said."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.domain.checkpoint import documents_in
from warroom.bot.domain.language import ENGLISH
from warroom.bot.operations.audit_export import verify_export
from warroom.bot.operations.checkpoints import line
from warroom.bot.operations.export import incident_export, markdown_report
from warroom.bot.reminders import checkpoint_due


def lines(bot: CrossOrgBot, org: str) -> list[str]:
    room = bot.rooms[org]
    return [
        s.message.attachment.data
        for s in bot.adapter(org).of_kind("post")
        if s.room == room and s.message and s.message.attachment
    ]


async def opened(bot: CrossOrgBot) -> None:
    await bot.command('open "Customer DB leaked" --sev 2 --tlp amber', name="alice", org="acme")
    await bot.command("invite cert", name="alice", org="acme")
    await bot.app.outbox.drain()


async def test_every_linked_room_gets_the_open_and_state_checkpoints(store_url: str) -> None:
    bot = CrossOrgBot(store_url)
    try:
        await opened(bot)
        await bot.command('update "found it" --state identified', name="alice", org="acme")
        await bot.app.outbox.drain()
        for org in ("acme", "cert"):
            seqs = [s.statement.seq for s in documents_in("\n".join(lines(bot, org)))]
            assert len(seqs) >= 2 and seqs == sorted(seqs), (org, seqs)
    finally:
        await bot.app.stop()


async def test_a_checkpoint_line_is_not_relayed_nor_recorded(store_url: str) -> None:
    bot = CrossOrgBot(store_url)
    try:
        await opened(bot)
        with bot.app.store.engine.connect() as conn:
            from sqlalchemy import text

            said = conn.execute(text("SELECT text FROM timelineentry")).scalars().all()
            copies = conn.execute(text("SELECT count(*) FROM relaycopy")).scalar_one()
        assert not any("🔏" in t for t in said)
        assert copies == 0
        for adapter in (bot.chat, bot.mx):
            assert not adapter.of_kind("relay")
    finally:
        await bot.app.stop()


async def test_the_interval_checkpoints_only_what_grew_and_adds_no_entry(store_url: str) -> None:
    bot = CrossOrgBot(store_url)
    try:
        await opened(bot)
        checkpointer = bot.app.services.checkpointer
        assert checkpointer is not None

        def check() -> int:
            now = bot.clock.now()
            taken, _ = bot.app.store.transaction_sync(
                lambda uow: checkpoint_due.check(uow, now=now, checkpointer=checkpointer)
            )
            return taken

        def entries() -> int:
            with bot.app.store.engine.connect() as conn:
                from sqlalchemy import text

                return int(conn.execute(text("SELECT count(*) FROM timelineentry")).scalar_one())

        before = entries()
        assert check() == 1  # the invite came after the opening's checkpoint
        assert check() == 0  # nothing new since: a job firing twice signs nothing twice
        bot.clock.advance(timedelta(hours=1))
        await bot.command("note more", name="alice", org="acme", room=bot.rooms["acme"])
        assert check() == 1
        assert entries() == before + 1  # only the note: a checkpoint is no activity
    finally:
        await bot.app.stop()


def test_a_checkpoint_line_shows_no_title_and_no_text(store_url: str) -> None:
    bot = CrossOrgBot(store_url)
    checkpointer = bot.app.services.checkpointer
    assert checkpointer is not None
    from datetime import UTC, datetime

    from warroom.bot.domain.checkpoint import sign

    signed = sign(
        checkpointer.key,
        incident="INC-7",
        seq=42,
        head="3f9a" + "0" * 58 + "c2",
        at=datetime.now(UTC),
    )
    shown = line(signed, ENGLISH)
    assert shown.body.startswith("🔏 INC-7 #42 · 3f9a…c2 · signed ")
    assert shown.title == "" and not shown.fields


async def test_a_redacted_export_verifies_offline_without_revealing_withheld_entries(
    store_url: str,
) -> None:
    bot = CrossOrgBot(store_url)
    try:
        await opened(bot)
        await bot.command("invite cloud", name="alice", org="acme")
        await bot.app.outbox.drain()
        await bot.say("TLP:RED only for acme eyes", name="alice", org="acme")
        await bot.say("TLP:CLEAR the edge is patched", name="alice", org="acme")
        await bot.command('update "done" --state contained', name="alice", org="acme")
        data = bot.app.store.transaction_sync(
            lambda uow: incident_export(uow, "INC-1", config=bot.config, as_org="cloud")
        )
        key = bot.app.services.checkpointer
        assert key is not None
        withheld = [e for e in data["timeline"] if e.get("withheld")]
        assert withheld and all(
            set(e) == {"seq", "prev_hash", "hash", "withheld"} for e in withheld
        )
        assert "only for acme eyes" not in str(data)
        # cloud may not see the AMBER title: its checkpoint lines never carry it
        posted = [
            s.message.plain_text()
            for s in bot.chat.of_kind("post")
            if s.room == bot.rooms["cloud"] and s.message and s.message.attachment
        ]
        assert posted and not any("Customer DB" in p for p in posted)
        report = markdown_report(data)
        assert (
            "## Signed checkpoints" in report
            and f"INC-1 #{data['checkpoints'][0]['statement']['seq']}" in report
        )
        linked, recomputed, problems = verify_export(data, key.key.public_key())
        assert problems == [] and recomputed > 0 and linked == len(data["timeline"])
        shown = next(e for e in data["timeline"] if "edge is patched" in e.get("text", ""))
        shown["actor"]["display"] = "mallory"
        _, _, problems = verify_export(data, key.key.public_key())
        assert problems and f"#{shown['seq']}" in problems[0]
    finally:
        await bot.app.stop()
