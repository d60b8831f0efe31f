"""Outbox items are typed effects delivered through the table app.py builds: a kind this
process does not know waits for one that does, and a payload nobody can read fails once."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.fakes.bot import TestBot
from warroom.bot.app import outbox_actions
from warroom.bot.domain.events import RoomRef, UserRef
from warroom.bot.domain.messages import Field, Message
from warroom.bot.operations import effects
from warroom.bot.runtime.outbox import ActionTable
from warroom.storage.models import Outbox

ROOM = RoomRef("fake", "W1", "room-1")


def queue_raw(bot: TestBot, action: str, payload: dict[str, object]) -> int:
    now = bot.clock.now()
    row = Outbox(
        platform="fake",
        action=action,
        payload=json.dumps(payload),
        created_at=now,
        next_attempt_at=now,
    )
    return bot.app.store.transaction_sync(lambda uow: uow.outbox.add(row).id or 0)


def row(bot: TestBot, item_id: int) -> Outbox:
    found = bot.app.store.transaction_sync(lambda uow: uow.outbox.get(item_id))
    assert found is not None
    return found


async def test_a_kind_this_process_does_not_know_stays_queued_untouched(bot: TestBot) -> None:
    item = queue_raw(bot, "shout", {"room": {"platform": "fake"}, "text": "from a newer release"})
    await bot.app.outbox.drain()
    bot.clock.advance(timedelta(hours=1))
    await bot.app.outbox.drain()
    left = row(bot, item)
    assert (left.attempts, left.failed_at, left.done_at, left.last_error) == (0, None, None, "")


async def test_a_process_that_knows_the_kind_delivers_what_another_left(bot: TestBot) -> None:
    payload = effects.payload_of(effects.Post(ROOM, Message(body="hello")))
    item = queue_raw(bot, "post", payload)
    older = [a for a in outbox_actions() if a.kind != "post"]
    bot.app.outbox.actions = ActionTable(older)  # a release that cannot post yet
    await bot.app.outbox.drain()
    assert bot.adapter.sent == [] and row(bot, item).attempts == 0
    bot.app.outbox.actions = outbox_actions()
    await bot.app.outbox.drain()
    assert [(s.kind, s.text) for s in bot.adapter.sent] == [("post", "hello")]
    assert row(bot, item).done_at is not None


async def test_a_payload_no_release_can_read_fails_once_and_stops(bot: TestBot) -> None:
    item = queue_raw(bot, "post", {"room": "not a room"})
    await bot.app.outbox.drain()
    failed = row(bot, item)
    assert failed.failed_at is not None and failed.attempts == 1
    assert "ValidationError" in failed.last_error
    assert bot.adapter.sent == []


def test_stored_payloads_keep_the_shape_earlier_releases_wrote() -> None:
    user = UserRef("fake", "W1", "U1", "Alice")
    message = Message(body="b", title="t", fields=(Field("a", "1"),), mentions=(user,))
    room = {"platform": "fake", "workspace": "W1", "room_id": "room-1"}
    assert effects.payload_of(effects.Post(ROOM, message, pin=True)) == {
        "room": room,
        "message": json.loads(json.dumps(message.to_dict())),  # as stored: JSON
        "pin": True,
    }
    assert effects.payload_of(effects.Invite(ROOM, (user,))) == {
        "room": room,
        "users": [{"platform": "fake", "workspace": "W1", "user_id": "U1", "display": "Alice"}],
    }
    assert effects.payload_of(effects.CreateRoom("acme", "W1")) == {
        "org": "acme",
        "workspace": "W1",
    }
    assert effects.payload_of(effects.SyncRooms()) == {}


def test_every_effect_has_exactly_one_action() -> None:
    kinds = {cls.kind for cls in effects.Effect.__args__}  # type: ignore[attr-defined]
    assert outbox_actions().kinds == kinds
