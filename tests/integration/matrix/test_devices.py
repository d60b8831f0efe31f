"""Device trust: an admin lists and verifies devices with `!warroom` commands."""

from __future__ import annotations

from pathlib import Path

from tests.integration.matrix.conftest import bot_config, start_bot
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import lobby_with


async def test_an_admin_lists_and_verifies_devices(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    config = bot_config(synapse, account, tmp_path, env, admins=(alice.user_id,))
    bot = await start_bot(config)
    try:
        room = await lobby_with(alice, bot)
        device = alice.client.device_id
        await alice.say(room, "!warroom devices")
        listing = await alice.wait_notice(room, bot.user_id, "Devices")
        assert f"{alice.user_id} {device}" in listing.body
        assert "trusted on first use" in listing.body
        assert bot.adapter.device_id in listing.body

        await alice.say(room, f"!warroom verify {alice.user_id} {device}")
        await alice.wait_notice(room, bot.user_id, f"{device} is now verified")
        known = bot.adapter.client.device_store[alice.user_id][device]
        assert known.verified
    finally:
        await bot.app.stop()
