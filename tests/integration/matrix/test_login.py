"""Start-up against the homeserver: bad credentials stop it, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.matrix.conftest import bot_config
from tests.integration.matrix.homeserver import Account, Homeserver
from warroom.bot.app import build_app, platform_adapters
from warroom.bot.domain.port import AdapterError


async def test_a_wrong_password_stops_start_up(
    synapse: Homeserver,
    bot_account: tuple[Account, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account, env = bot_account
    monkeypatch.setenv(env, "not-the-password")
    config = bot_config(synapse, account, tmp_path, env)
    app = build_app(config, adapters=platform_adapters(config))
    try:
        with pytest.raises(AdapterError, match="M_FORBIDDEN"):
            await app.start()
    finally:
        await app.stop()
