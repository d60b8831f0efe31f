"""Restarts: of the bot mid-incident, and of the homeserver under it."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from tests.integration.matrix.conftest import Bot, bot_config, start_bot
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import command, export, open_incident
from warroom.adapters.matrix.adapter import MatrixAdapter
from warroom.adapters.matrix.sync import SYNC_FILTER
from warroom.bot.app import build_app, platform_adapters


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


async def test_a_long_absence_loses_nothing_said_meanwhile(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    config = bot_config(synapse, account, tmp_path, env)
    bot = await start_bot(config)
    room = await open_incident(alice, bot, "Long night")
    await bot.app.stop()

    said = [f"line {i:03d}" for i in range(SYNC_FILTER["room"]["timeline"]["limit"] + 20)]
    for line in said:  # more than one sync's timeline holds: the bot must fetch the gap
        await alice.say(room, line)
    await alice.say(room, "!inc note back in the morning")
    bot = await start_bot(config)
    try:
        await alice.wait_notice(room, bot.user_id, "back in the morning")
        messages = [e["text"] for e in export(bot)["timeline"] if e["kind"] == "message"]
        assert messages == said
    finally:
        await bot.app.stop()


async def test_the_bot_starts_while_the_homeserver_is_down_and_catches_up(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    config = bot_config(synapse, account, tmp_path, env)
    await asyncio.to_thread(synapse.stop)
    try:
        adapters = platform_adapters(config)
        app = build_app(config, adapters=adapters)
        await app.start(outbox_interval=0.5)  # returns: the login is retried in the background
        adapter = adapters["matrix"]
        assert isinstance(adapter, MatrixAdapter) and adapter.sync is not None
        assert not adapter.sync.ready.is_set()
    finally:
        await asyncio.to_thread(synapse.start)
    bot = Bot(config, app, adapter)
    try:
        await asyncio.wait_for(adapter.sync.ready.wait(), 60)
        room = await open_incident(alice, bot, "Cold start")
        await command(alice, room, bot, "!inc note up and running", "up and running")
    finally:
        await app.stop()
