"""Socket Mode specifics: the WebSocket handshake and reconnecting when Slack asks."""

from __future__ import annotations

import aiohttp

from tests.integration.slack.rig import SlackRig


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
    port = socket_rig.adapter.transport.port
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"ok": True, "mode": "socket"}
        async with http.post(f"http://127.0.0.1:{port}/slack/events", data="{}") as response:
            assert response.status in (404, 405), "no HTTP events in Socket Mode"
