"""Restarts: of the bot mid-incident, and of the homeserver under it."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from tests.integration.matrix.conftest import Bot, bot_config, start_bot
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import command, export, open_incident


def noted(person: Human, room: str, bot: Bot, text: str) -> int:
    return sum(
        1 for n in person.notices(room, bot.user_id) if "noted" in n.body and text in n.body
    )


def assert_no_duplicates(bot: Bot) -> None:
    timeline = export(bot)["timeline"]
    texts = Counter((e["kind"], e["text"]) for e in timeline if e["kind"] in ("note", "message"))
    assert all(count == 1 for count in texts.values()), texts


async def own_devices(bot: Bot) -> list[str]:
    result = await bot.adapter.client.devices()
    return [d.id for d in result.devices]


async def test_a_restarted_bot_replays_nothing_and_keeps_its_device(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    config = bot_config(synapse, account, tmp_path, env)
    bot = await start_bot(config)
    room = await open_incident(alice, bot, "Ransomware on file server")
    await command(alice, room, bot, "!inc note before the restart", "before the restart")
    device = bot.adapter.device_id
    devices = await own_devices(bot)
    await bot.app.stop()

    await alice.say(room, "said while the bot was away")
    await alice.say(room, "!inc note typed while the bot was away")
    bot = await start_bot(config)
    try:
        await alice.wait_notice(room, bot.user_id, "typed while the bot was away")
        await command(alice, room, bot, "!inc note after the restart", "after the restart")

        assert bot.adapter.device_id == device
        assert await own_devices(bot) == devices, "no new device on restart"
        assert noted(alice, room, bot, "before the restart") == 1, "no replayed command"
        assert noted(alice, room, bot, "typed while the bot was away") == 1
        assert len([i for i in alice.invites if i == room]) == 1
        texts = [e["text"] for e in export(bot)["timeline"]]
        assert "said while the bot was away" in texts
        assert_no_duplicates(bot)
        assert bot.app.store.transaction_sync(lambda uow: uow.incidents.by_key("INC-2")) is None
    finally:
        await bot.app.stop()


async def test_the_bot_carries_on_after_the_homeserver_restarts(
    synapse: Homeserver, bot: Bot, alice: Human
) -> None:
    room = await open_incident(alice, bot, "Phishing wave")
    await command(alice, room, bot, "!inc note first", "first")
    await asyncio.to_thread(synapse.restart)  # the clients keep running meanwhile
    await command(alice, room, bot, "!inc note after the homeserver came back", "came back")
    await alice.say(room, "and a message too")
    await command(alice, room, bot, "!inc note last", "last")
    assert noted(alice, room, bot, "first") == 1
    texts = [e["text"] for e in export(bot)["timeline"]]
    assert "and a message too" in texts
    assert_no_duplicates(bot)
