"""Replays change nothing; an outage loses nothing and doubles nothing."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.bot import TestBot
from tests.fakes.snapshot import snapshot
from warroom.bot.operations.export import incident_export


async def test_the_same_event_twice_changes_nothing_the_second_time(bot: TestBot) -> None:
    await bot.open()
    await bot.send("note once", event_id="evt-42")
    before = snapshot(bot.app.store.engine)
    sent = await bot.send("note once", event_id="evt-42")
    assert sent == []
    assert snapshot(bot.app.store.engine) == before


async def test_a_replayed_open_opens_one_incident(bot: TestBot) -> None:
    await bot.send('open "once"', event_id="evt-1")
    await bot.send('open "once"', event_id="evt-1")
    keys = bot.app.store.transaction_sync(lambda uow: [i.key for i in uow.incidents.all()])
    assert keys == ["INC-1"]


async def test_a_replayed_message_is_captured_once(bot: TestBot) -> None:
    await bot.open()
    await bot.say("hello", event_id="m-1")
    await bot.say("hello", event_id="m-1")
    timeline = bot.app.store.transaction_sync(lambda uow: incident_export(uow, "INC-1"))
    assert [e["text"] for e in timeline["timeline"]].count("hello") == 1


async def test_platform_outage_queues_and_then_delivers_exactly_once(bot: TestBot) -> None:
    bot.adapter.down = True
    await bot.send('open "during the outage" --sev 1')
    assert bot.adapter.sent == []
    pending = bot.app.store.transaction_sync(lambda uow: uow.outbox.pending_count())
    assert pending == 2  # the room to create, and the private "Opened INC-1" answer

    bot.adapter.down = False
    await bot.app.services.outbox.drain()
    assert bot.adapter.sent == [], "backoff: nothing is retried before its time"
    bot.clock.advance(timedelta(seconds=5))
    await bot.app.services.outbox.drain()
    kinds = [s.kind for s in bot.adapter.sent]
    assert sorted(kinds) == ["create_room", "notify", "pin", "post", "post"]
    # the card, pinned, then the room's copy of the opening's signed checkpoint
    assert [k for k in kinds if k != "notify"] == ["create_room", "post", "pin", "post"]
    bot.clock.advance(timedelta(minutes=10))
    await bot.app.services.outbox.drain()
    assert [s.kind for s in bot.adapter.sent] == kinds, "nothing is delivered twice"
    assert bot.app.store.transaction_sync(lambda uow: uow.outbox.pending_count()) == 0


async def test_a_failed_public_reply_is_queued_not_lost(bot: TestBot) -> None:
    room = await bot.open()
    bot.adapter.down = True
    await bot.send("note said while the platform was down")
    bot.adapter.down = False
    bot.clock.advance(timedelta(seconds=5))
    await bot.app.services.outbox.drain()
    posts = [s for s in bot.adapter.of_kind("post") if s.room == room]
    assert "said while the platform was down" in posts[-1].text


async def test_room_order_is_kept_while_one_message_waits_for_retry(bot: TestBot) -> None:
    await bot.open()
    bot.adapter.down = True
    for n in range(3):
        await bot.send(f"note n{n}")
    bot.adapter.down = False
    for _ in range(5):
        bot.clock.advance(timedelta(seconds=30))
        await bot.app.services.outbox.drain()
    noted = [s.text for s in bot.adapter.of_kind("post") if "noted" in s.text]
    assert [t.split(": ")[-1] for t in noted] == ["n0", "n1", "n2"]


async def test_an_exception_in_a_handler_is_logged_answered_and_the_next_event_runs(
    bot: TestBot, monkeypatch, caplog
) -> None:
    import dataclasses

    async def broken(ctx, **kwargs):
        raise RuntimeError("boom")

    registry = bot.app.core.registry
    monkeypatch.setattr(
        bot.app.core,
        "registry",
        registry.replaced("status", dataclasses.replace(registry["status"], handler=broken)),
    )
    await bot.open()
    sent = await bot.send("status")
    assert sent[-1].kind == "notify" and "Sorry" in sent[-1].text
    assert "boom" in caplog.text
    sent = await bot.send("note still working")
    assert sent[0].kind == "post"


async def test_a_private_answer_that_fails_is_queued_and_delivered_later(bot: TestBot) -> None:
    await bot.open()
    bot.adapter.down = True
    await bot.send("sev 9")  # a mistake: its answer is private
    bot.adapter.down = False
    bot.clock.advance(timedelta(seconds=5))
    await bot.app.services.outbox.drain()
    (told,) = bot.adapter.of_kind("notify")[-1:]
    assert told.user is not None and told.user.user_id == "alice"
    assert "LEVEL must be 1 to 4" in told.text
