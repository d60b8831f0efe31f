"""`warroom run` as a process, serving Slack's HTTP events against the fake Slack."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.slack_config import write_http_config
from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import SIGNING_SECRET, payload, signature


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    slack.add_team("T0ACME", name="acme")
    await slack.start()
    slack.add_channel("T0ACME", "general", members=["U0ALICE"], channel_id="C0GENERAL")
    yield slack
    await slack.stop()


async def test_warroom_run_serves_slack_http_events_until_sigterm(
    fake: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "warroom.toml"
    write_http_config(config, db=tmp_path / "warroom.db", port=port, api_url=fake.base_url)
    env = {
        **os.environ,
        "E2E_SLACK_SECRET": SIGNING_SECRET,
        "E2E_SLACK_TOKEN_ACME": next(iter(fake.teams)),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "warroom",
        "run",
        "-c",
        str(config),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            health = f"http://127.0.0.1:{port}/healthz"
            for _ in range(200):
                try:
                    async with http.get(health) as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            body = payload("slash_command")
            body.update(text='open "From the CLI"', response_url=fake.response_url())
            form = urllib.parse.urlencode(body)
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature(SIGNING_SECRET, stamp, form),
            }
            url = f"http://127.0.0.1:{port}/slack/events"
            pin = fake.expect("pins.add")
            async with http.post(url, data=form, headers=headers) as response:
                assert response.status == 200
            pinned = await asyncio.wait_for(pin, 20)
        assert pinned.args["channel"] == fake.channel_named("inc-1-from-the-cli").id
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
