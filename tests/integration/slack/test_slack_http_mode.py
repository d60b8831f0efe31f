"""HTTP mode specifics: Slack's URL check, health, and storage on every backend."""

from __future__ import annotations

import json

import aiohttp

from tests.integration.slack.rig import SlackRig


async def test_slack_url_verification_is_answered(http_rig: SlackRig) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9C"})
    ack = await http_rig.post(body, "application/json")
    assert ack.status == 200
    assert ack.body == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9C"}


async def test_health_answers(http_rig: SlackRig) -> None:
    url = f"{http_rig.base_url}/healthz"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert await response.json() == {
            "ok": True,
            "adapters": {"slack": {"ok": True, "mode": "http"}},
        }


async def test_a_note_lands_on_the_timeline_on_this_storage_backend(http_rig: SlackRig) -> None:
    await http_rig.command('open "Storage check"')
    await http_rig.settle()
    room = http_rig.room_of()
    await http_rig.command("note stored", channel=room)
    said = await http_rig.message(room, "said in the room")
    await http_rig.settle()
    await http_rig.react(room, said)
    await http_rig.settle()
    kinds = [e["kind"] for e in http_rig.export()["timeline"]]
    assert kinds.count("note") == 1 and kinds.count("message") == 1 and kinds.count("pinned") == 1
