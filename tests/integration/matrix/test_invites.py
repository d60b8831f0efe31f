"""Which invitations the bot accepts, and what it does not act on once it has joined."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from nio import RoomMemberEvent

from tests.integration.matrix.conftest import Bot, bot_config, start_bot
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import WAIT_S, Human
from tests.integration.matrix.scenario import command
from warroom.adapters.matrix import sync


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
        await alice.know_devices_of(bot.user_id)  # the bot's device is new since the invite
        await command(alice, room, bot, "!inc list", "No open incidents")
    finally:
        await bot.app.stop()


def hold_joins(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Make the bot's joins wait: (it is about to join, it may join now)."""
    joining, may_join = asyncio.Event(), asyncio.Event()
    join = bot.adapter.client.join

    async def held(room_id: str, *args: Any, **kwargs: Any) -> Any:
        joining.set()
        await may_join.wait()
        return await join(room_id, *args, **kwargs)

    monkeypatch.setattr(bot.adapter.client, "join", held)
    return joining, may_join


@pytest.mark.parametrize("timeline", [100, 1], ids=["in-the-join-timeline", "fetched-back"])
async def test_a_command_typed_before_the_bot_joined_is_answered_once(
    bot: Bot, alice: Human, monkeypatch: pytest.MonkeyPatch, timeline: int
) -> None:
    # With a one-event timeline the sync that shows the join does not reach back to the
    # invitation: what was said meanwhile is fetched with /messages.
    monkeypatch.setitem(sync.SYNC_FILTER["room"]["timeline"], "limit", timeline)
    lobby = await alice.create_room(invite=[])
    await alice.say(lobby, '!incident open "Said before the invitation"')
    joining, may_join = hold_joins(bot, monkeypatch)
    await alice.client.room_invite(lobby, bot.user_id)
    await asyncio.wait_for(joining.wait(), WAIT_S)
    # alice's client knows the bot is invited and its devices, so the bot gets the key
    await alice.wait_for(lambda: bot.user_id in alice.client.rooms[lobby].invited_users)
    await alice.know_devices_of(bot.user_id)
    await alice.say(lobby, '!incident open "Typed before the bot joined" --sev 2')
    may_join.set()

    await alice.wait_notice(lobby, bot.user_id, "Opened INC-1: Typed before the bot joined")
    # the bot handles a room's events in order: once `list` is answered, a second answer to
    # the command would have come
    await command(alice, lobby, bot, "!inc list", "Typed before the bot joined")
    said = [n.body for n in alice.notices(lobby, bot.user_id)]
    assert len([b for b in said if "Opened INC-" in b]) == 1, said
    assert not any("Said before the invitation" in b for b in said), said
    titles = bot.app.store.transaction_sync(lambda uow: [i.title for i in uow.incidents.all()])
    assert titles == ["Typed before the bot joined"]
