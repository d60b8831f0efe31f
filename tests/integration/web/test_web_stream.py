"""The incident page's live stream over HTTP: Server-Sent Events of what the viewer's org may
see, resumed without loss or repeats, from the core's news or, served alone, by polling."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from tests.integration.web.harness import browser_session, login_path, serving, two_orgs
from warroom.bot.app import build_dashboard
from warroom.bot.config import Config, HttpConfig, StorageConfig

pytestmark = pytest.mark.pg

WAIT_S = 5.0  # far above what an event takes; a missing one fails, it does not hang


async def events(stream: aiohttp.ClientResponse, until: str) -> list[dict[str, Any]]:
    """The entries the stream sends up to the one whose text holds `until`."""
    got: list[dict[str, Any]] = []
    seq = None
    while not got or until not in got[-1]["text"]:
        line = (await asyncio.wait_for(stream.content.readline(), WAIT_S)).decode().rstrip("\n")
        if line.startswith("id: "):
            seq = int(line[4:])
        elif line.startswith("data: "):
            entry = json.loads(line[6:])
            assert entry["seq"] == seq
            got.append(entry)
    return got


async def test_the_stream_sends_what_the_org_may_see_and_resumes_without_repeats(
    store_url: str,
) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Shared" --sev 2')
        await bot.send("invite cert")
        async with browser_session(bot, user="carol", org="cert") as client:
            async with client.get("/incidents/INC-1/events?after=0") as stream:
                assert stream.headers["Content-Type"].startswith("text/event-stream")
                assert stream.headers["Content-Security-Policy"].startswith("default-src")
                await events(stream, "hinzugezogen")  # cert reads German
                await bot.send("note TLP:RED acme alone knows")
                await bot.send("note TLP:AMBER first for both")
                live = await events(stream, "first for both")
            assert [e["text"] for e in live] == ["TLP:AMBER first for both"]
            await bot.send("note TLP:AMBER second for both")
            resumed = {"Last-Event-ID": str(live[-1]["seq"])}
            async with client.get("/incidents/INC-1/events", headers=resumed) as stream:
                again = await events(stream, "second for both")
            assert [e["text"] for e in again] == ["TLP:AMBER second for both"]


async def test_served_alone_the_dashboard_finds_new_entries_by_polling(
    store_url: str, unused_tcp_port: int
) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Polled" --sev 2')
        path = await login_path(bot, user="alice", org="acme")
        alone = Config(
            storage=StorageConfig(url=store_url, auto_upgrade=False),
            orgs=two_orgs().orgs,
            sharing=two_orgs().sharing,
            http=HttpConfig(listen=f"127.0.0.1:{unused_tcp_port}"),
        )
        server = build_dashboard(alone, clock=bot.clock)
        await server.start()
        try:
            jar = aiohttp.CookieJar(unsafe=True)
            origin = f"http://127.0.0.1:{server.http.port}"
            async with aiohttp.ClientSession(base_url=origin, cookie_jar=jar) as client:
                async with client.get(path, allow_redirects=False) as signed:
                    assert signed.status == 303
                async with client.get("/healthz") as health:
                    assert health.status == 200
                async with client.get("/incidents/INC-1/events?after=1") as stream:
                    await bot.send("note from the other process")
                    got = await events(stream, "from the other process")
            assert [e["text"] for e in got][-1] == "from the other process"
        finally:
            await server.stop()
