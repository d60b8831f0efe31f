"""Steps the Matrix tests share: a lobby with the bot, opening an incident, reading state."""

from __future__ import annotations

from typing import Any

from nio import RoomMemberEvent

from tests.integration.matrix.conftest import Bot
from tests.integration.matrix.human import Human


async def lobby_with(person: Human, bot: Bot, *, encrypted: bool = True) -> str:
    """A room the person made and invited the bot to; returns once the bot has joined."""
    room_id = await person.create_room(invite=[bot.user_id], encrypted=encrypted)

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


async def open_incident(person: Human, bot: Bot, title: str, *, encrypted: bool = True) -> str:
    """`!incident open` in a lobby; the person accepts the war room's invitation.
    Returns the war room's id once the summary card is there."""
    lobby = await lobby_with(person, bot, encrypted=encrypted)
    before = set(person.invites)
    await person.say(lobby, f'!incident open "{title}" --sev 2')
    war_room = await person.wait_for(lambda: next(iter(set(person.invites) - before), None))
    await person.join(war_room)
    await person.wait_notice(war_room, bot.user_id, f": {title}")
    return war_room


async def command(person: Human, room_id: str, bot: Bot, text: str, answer: str) -> str:
    """Type a command and wait for the bot's notice containing `answer`; its event id."""
    await person.say(room_id, text)
    notice = await person.wait_notice(room_id, bot.user_id, answer)
    return str(notice.event_id)


def export(bot: Bot, key: str = "INC-1") -> dict[str, Any]:
    from warroom.bot.operations.export import incident_export

    return bot.app.store.transaction_sync(lambda uow: incident_export(uow, key))
