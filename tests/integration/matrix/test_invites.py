"""Which invitations the bot accepts, and what it does not act on once it has joined."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nio import RoomMemberEvent

from tests.integration.matrix.conftest import bot_config, start_bot
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import command


def membership(person: Human, room_id: str, user_id: str) -> str | None:
    found = [
        s.event.membership
        for s in person.seen
        if s.room_id == room_id
        and isinstance(s.event, RoomMemberEvent)
        and s.event.state_key == user_id
    ]
    return found[-1] if found else None


async def test_invitations_from_other_servers_are_declined(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    config = bot_config(synapse, account, tmp_path, env)
    assert config.matrix is not None
    config = replace(config, matrix=replace(config.matrix, allowed_servers=("cert.example",)))
    bot = await start_bot(config)
    try:
        room = await alice.create_room(invite=[bot.user_id])
        await alice.wait_for(lambda: membership(alice, room, bot.user_id) == "leave")
    finally:
        await bot.app.stop()


async def test_what_was_said_before_the_bot_joined_is_not_acted_on(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    room = await alice.create_room(invite=[account.user_id])
    await alice.say(room, '!incident open "Said before the bot ever listened"')
    bot = await start_bot(bot_config(synapse, account, tmp_path, env))
    try:
        await alice.wait_for(lambda: membership(alice, room, bot.user_id) == "join")
        await command(alice, room, bot, "!inc list", "No open incidents")
    finally:
        await bot.app.stop()
