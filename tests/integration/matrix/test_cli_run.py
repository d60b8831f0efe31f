"""`warroom run` as a process, serving a Matrix org until SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import WAIT_S, Human


def write_config(path: Path, server: Homeserver, account: Account, env: str) -> None:
    path.write_text(
        f"""
[storage]
url = "sqlite:///{path.parent / "warroom.db"}"

[http]
listen = "127.0.0.1:0"

[matrix]
homeserver = "{server.url}"
user_id = "{account.user_id}"
password_env = "{env}"
allowed_servers = ["{server.server_name}"]
store_dir = "{path.parent / "matrix-store"}"

[[orgs]]
id = "cert"
platform = "matrix"
workspace = "{server.server_name}"
""",
        encoding="utf-8",
    )


async def test_warroom_run_serves_matrix_until_sigterm(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    config = tmp_path / "config.toml"
    write_config(config, synapse, account, env)
    process = subprocess.Popen(
        [sys.executable, "-m", "warroom", "run", "-c", str(config)],
        env={**os.environ, env: os.environ[env]},
        stderr=subprocess.PIPE,
    )
    stderr = b""
    try:
        lobby = await alice.create_room(invite=[account.user_id])
        await alice.wait_for(
            lambda: (
                account.user_id in alice.client.rooms[lobby].users
                and not (alice.client.rooms[lobby].invited_users)
            )
        )
        # as Element does before sending to a new member: know its device, so what is said
        # next is encrypted to it too
        await alice.know_devices_of(account.user_id)
        await alice.wait_for(
            lambda: alice.client.device_store.active_user_devices(account.user_id)
        )
        await alice.say(lobby, '!incident open "Run from the command line"')
        # a guard, not a speed check: on a loaded machine a war room the outbox had to retry
        # (backoff 2, 4, 8, 16 s...) can take past the usual minute
        war_room = await alice.wait_for(lambda: next(iter(alice.invites), None), 2 * WAIT_S)
        await alice.join(war_room)
        await alice.wait_notice(war_room, account.user_id, "INC-1: Run from the command line")
    except BaseException:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(process.communicate, timeout=WAIT_S)
        print(stderr.decode(errors="replace"))  # what `warroom run` said, for the failure report
        raise
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.to_thread(process.communicate, timeout=WAIT_S)
    assert process.returncode == 0, stderr.decode()
    exported = subprocess.run(
        [sys.executable, "-m", "warroom", "export", "INC-1", "-c", str(config)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(exported.stdout)["rooms"][0]["room_id"] == war_room
