"""Every verb of the core, typed as `/incident VERB ...` in Slack, across two workspaces."""

from __future__ import annotations

from tests.integration.slack.rig import BOB, CERT, SlackRig


async def test_every_verb_runs_from_slack_and_a_second_workspace_joins(
    http_rig: SlackRig,
) -> None:
    rig = http_rig
    await rig.command('open "Every verb" --sev 3 --tlp amber')
    await rig.settle()
    room = rig.room_of()
    verbs = [
        "help",
        "help note",
        "list",
        "note first note",
        f"invite <@{BOB}|bob>",
        f"role deputy <@{BOB}|bob>",
        "roles",
        "sev 2",
        "tlp green",
        'update "found the cause" --state identified',
        "invite cert",
        "timeline --last 5",
        "status",
        'resolve "all clear"',
        "close",
    ]
    for text in verbs:
        ack = await rig.command(text, channel=room)
        assert ack.status == 200, text
        await rig.settle()
    await rig.retry_later()

    said = [r["text"] for r in rig.fake.responses] + [
        str(c.args["text"]) for c in rig.fake.of("chat.postMessage")
    ]
    assert not [t for t in said if "⚠" in t or "Sorry" in t], said
    data = rig.export()
    assert data["state"] == "closed" and data["severity"] == 2 and data["tlp"] == "GREEN"
    assert data["roles"]["deputy"]["user_id"] == BOB
    assert sorted(data["orgs"]) == ["acme", "cert"]
    cert_room = next(r for r in data["rooms"] if r["org"] == "cert")
    cert_channel = rig.fake.channels[cert_room["room_id"]]
    assert cert_channel.team == CERT and cert_channel.archived
    assert {c.team for c in rig.fake.of("conversations.create")} == {"T0ACME", CERT}
    assert rig.fake.channels[room].archived
    assert BOB in rig.fake.channels[room].members
    help_answer = next(r for r in rig.fake.responses if "warroom commands" in r["text"])
    assert sum(len(b.get("fields", [])) for b in help_answer["blocks"]) >= 14
    assert len(cert_channel.pins) == 1, "the CERT room has its own pinned card"
    assert CERT in {c.team for c in rig.fake.of("pins.add")}
