"""Socket Mode specifics: the WebSocket handshake and reconnecting when Slack asks."""

from __future__ import annotations

import aiohttp
import pytest

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import ACME, ALICE, SlackRig, rig_config, rig_env
from warroom.bot.domain.events import Actor, CommandReceived, RoomRef, UserRef


async def test_a_disconnect_is_followed_by_a_reconnect_and_work_goes_on(
    socket_rig: SlackRig,
) -> None:
    rig = socket_rig
    await rig.command('open "Before the reconnect"')
    await rig.settle()
    room = rig.room_of()
    assert rig.fake.socket.connections == 1

    await rig.fake.socket.disconnect()
    assert rig.fake.socket.connections == 2
    assert len(rig.fake.of("apps.connections.open")) == 2
    assert all(c.token == rig.fake.app_token for c in rig.fake.of("apps.connections.open"))

    ack = await rig.command("note after the reconnect", channel=room)
    await rig.settle()
    assert ack.status == 200
    assert ("note", "after the reconnect") in [
        (e["kind"], e["text"]) for e in rig.export()["timeline"]
    ]


async def test_health_reports_the_socket_connection(socket_rig: SlackRig) -> None:
    base = socket_rig.base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {
                "ok": True,
                "adapters": {"slack": {"ok": True, "mode": "socket"}},
            }
        async with http.post(f"{base}/slack/events", data="{}") as response:
            assert response.status in (404, 405), "no HTTP events in Socket Mode"


async def test_after_a_slack_outage_the_socket_reconnects_and_the_outbox_drains(
    fake_slack: FakeSlack, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in rig_env(fake_slack).items():
        monkeypatch.setenv(name, value)
    config = rig_config(sqlite_url, fake_slack, "socket")
    rig = SlackRig(fake_slack, config, "socket", ping_interval=0.2)
    await rig.start()
    try:
        await rig.command('open "Outage"')
        await rig.settle()
        room = rig.room_of()
        await fake_slack.go_down()
        # Work already in flight when Slack went away (nothing can arrive over a dead socket)
        await rig.app.core.handle(
            CommandReceived(
                Actor(UserRef("slack", ACME, ALICE, "alice"), "acme"),
                RoomRef("slack", ACME, room),
                "note typed while the socket was down",
                "while-down-1",
            )
        )
        await fake_slack.come_back()
        await fake_slack.socket.connected()
        assert fake_slack.socket.connections == 2
        await rig.retry_later()
        notes = [m["text"] for m in fake_slack.channels[room].messages.values()]
        assert len([t for t in notes if "typed while the socket was down" in t]) == 1
        assert (await rig.command("note and after", channel=room)).status == 200
        await rig.settle()
        assert "and after" in [e["text"] for e in rig.export()["timeline"]]
    finally:
        await rig.stop()
