from __future__ import annotations

from tests.fakes.bot import TestBot
from warroom.bot.domain.events import MessageDeleted, MessageRef


async def redact(bot: TestBot, target: str, event_id: str) -> None:
    room = bot.room
    await bot.app.core.handle(
        MessageDeleted(bot.actor(), room, MessageRef(room, target), event_id)
    )


def kinds(bot: TestBot) -> list[tuple[str, str]]:
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        return [(e.kind, e.text) for e in uow.timeline.entries(incident.id)]


async def test_removing_a_captured_message_is_recorded_and_the_message_kept(
    bot: TestBot,
) -> None:
    await bot.open()
    await bot.say("the password is hunter2", event_id="said")
    await redact(bot, "said", "redaction-1")
    await redact(bot, "said", "redaction-1")  # delivered twice: recorded once
    entries = kinds(bot)
    assert ("message", "the password is hunter2") in entries
    removed = [text for kind, text in entries if kind == "deleted"]
    assert len(removed) == 1
    assert removed[0].startswith("removed a message of alice")


async def test_removing_an_uncaptured_message_changes_nothing(bot: TestBot) -> None:
    await bot.open()
    before = kinds(bot)
    await redact(bot, "never-seen", "redaction-2")
    assert kinds(bot) == before
