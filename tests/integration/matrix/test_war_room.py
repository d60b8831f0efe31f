"""A person runs an incident on a real Synapse, from `!incident open` to `close`."""

from __future__ import annotations

from nio import RoomMemberEvent

from tests.integration.matrix.conftest import Bot
from tests.integration.matrix.human import Human


async def lobby_with(person: Human, bot: Bot) -> str:
    """An encrypted room the person made and invited the bot to; returns once it joined."""
    room_id = await person.create_room(invite=[bot.user_id])

    def bot_joined() -> bool:
        return any(
            isinstance(s.event, RoomMemberEvent)
            and s.room_id == room_id
            and s.event.state_key == bot.user_id
            and s.event.membership == "join"
            for s in person.seen
        )

    await person.wait_for(bot_joined)
    return room_id


async def test_open_in_an_encrypted_room_creates_the_war_room(bot: Bot, alice: Human) -> None:
    lobby = await lobby_with(alice, bot)
    await alice.say(lobby, '!incident open "Customer DB leak" --sev 2')
    war_room = await alice.wait_for(lambda: next(iter(alice.invites), None))
    await alice.join(war_room)
    card = await alice.wait_notice(war_room, bot.user_id, "INC-1: Customer DB leak")
    assert card.decrypted
