"""Relay between two Slack workspaces: copies, threads, edits and deletions follow."""

from __future__ import annotations

from tests.integration.slack.rig import ACME, ALICE, CERT, SlackRig

CAROL_AT_CERT = "U0CAROL"


async def opened_with_cert(rig: SlackRig) -> tuple[str, str]:
    await rig.command('open "Shared incident" --tlp amber --org cert')
    await rig.settle()
    rooms = {r["org"]: r["room_id"] for r in rig.export()["rooms"]}
    return rooms["acme"], rooms["cert"]


def copies(rig: SlackRig, channel: str) -> list[dict]:
    return [m for m in rig.fake.channels[channel].messages.values() if "] " in m["text"]]


async def test_a_message_reaches_the_other_workspace_with_its_sender(http_rig: SlackRig) -> None:
    rig = http_rig
    acme_room, cert_room = await opened_with_cert(rig)
    await rig.message(acme_room, "TLP:GREEN the attacker used <!channel> 198.51.100.7")
    await rig.settle()
    (copy,) = copies(rig, cert_room)
    assert "[ACME] alice: TLP:GREEN the attacker used" in copy["text"]
    assert "<!channel>" not in copy["text"] + str(copy["blocks"]), "a copy never mentions all"
    assert rig.fake.channels[cert_room].team == CERT


async def test_threads_edits_and_deletions_follow_the_original(http_rig: SlackRig) -> None:
    rig = http_rig
    acme_room, cert_room = await opened_with_cert(rig)
    original = await rig.message(acme_room, "TLP:GREEN first words")
    await rig.settle()
    (copy,) = copies(rig, cert_room)

    reply_ts = f"{original.split('.')[0]}.999999"
    await rig.event(
        {
            "type": "message",
            "channel": cert_room,
            "user": CAROL_AT_CERT,
            "text": "TLP:GREEN seen it too",
            "ts": reply_ts,
            "thread_ts": copy["ts"],
            "team": CERT,
        },
        team=CERT,
    )
    await rig.settle()
    threaded = [m for m in copies(rig, acme_room) if "seen it too" in m["text"]]
    assert threaded and threaded[0]["thread_ts"] == original

    await rig.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": acme_room,
            "message": {"user": ALICE, "text": "TLP:GREEN better words", "ts": original},
            "previous_message": {"user": ALICE, "text": "TLP:GREEN first words", "ts": original},
            "ts": f"{original}1",
            "team": ACME,
        }
    )
    await rig.settle()
    assert rig.fake.channels[cert_room].messages[copy["ts"]]["text"].endswith("better words")

    await rig.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": acme_room,
            "deleted_ts": original,
            "previous_message": {"user": ALICE, "text": "x", "ts": original},
            "ts": f"{original}2",
            "team": ACME,
        }
    )
    await rig.settle()
    assert copy["ts"] not in rig.fake.channels[cert_room].messages
    kinds = [e["kind"] for e in rig.export()["timeline"]]
    assert "edited" in kinds and "deleted" in kinds


async def test_the_bots_own_copies_are_never_relayed_back(http_rig: SlackRig) -> None:
    rig = http_rig
    acme_room, cert_room = await opened_with_cert(rig)
    await rig.message(acme_room, "TLP:GREEN ping")
    await rig.settle()
    (copy,) = copies(rig, cert_room)
    team = next(t for t in rig.fake.teams.values() if t.id == CERT)
    await rig.event(
        {
            "type": "message",
            "channel": cert_room,
            "user": team.bot_user,
            "bot_id": team.bot_id,
            "text": copy["text"],
            "ts": copy["ts"],
            "team": CERT,
        },
        team=CERT,
    )
    await rig.settle()
    assert len(copies(rig, acme_room)) == 0
    assert len(copies(rig, cert_room)) == 1


async def test_a_channel_is_renamed_when_its_org_may_no_longer_see_the_title(
    rig: SlackRig,
) -> None:
    acme, cert = await opened_with_cert(rig)
    assert rig.fake.channels[cert].name == "inc-1-shared-incident"
    await rig.command("tlp red --id INC-1")
    await rig.settle()
    assert rig.fake.channels[cert].name == "inc-1"
    assert rig.fake.channels[acme].name == "inc-1-shared-incident", "acme said it"
