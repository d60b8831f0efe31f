"""A person runs an incident on a real Synapse, from `!incident open` to `close`."""

from __future__ import annotations

from pathlib import Path

from nio import RoomMessageNotice

from tests.integration.matrix.conftest import Bot, bot_config, start_bot
from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import command, export, open_incident

PL = "m.room.power_levels"
EVERY_VERB = [  # each verb the core has, typed in the war room, and a bit of its answer
    ("!inc help", "warroom commands"),
    ("!inc help note", "note"),
    ("!inc status", "INC-1: Customer DB leak"),
    ("!inc roles", "INC-1 roles"),
    ("!inc timeline --last 3", "INC-1 timeline"),
    ("!inc list", "Open incidents"),
    ("!inc sev 1", "SEV2 → SEV1"),
    ("!inc tlp red", "TLP:AMBER → TLP:RED"),
    ('!inc update "attacker locked out" --state contained', "status update from"),
    ("!inc invite @dave", "invited"),
    ("!inc frobnicate", "unknown command"),
    ("!inc sev 9", "usage: "),
]


def edits_of(person: Human, event_id: str) -> list[RoomMessageNotice]:
    return [
        s.event
        for s in person.seen
        if isinstance(s.event, RoomMessageNotice)
        and (s.event.source["content"].get("m.relates_to") or {}).get("event_id") == event_id
        and s.event.source["content"]["m.relates_to"].get("rel_type") == "m.replace"
    ]


async def test_an_incident_runs_from_open_to_close_in_an_encrypted_war_room(
    synapse: Homeserver, bot: Bot, alice: Human, bob: Human
) -> None:
    room = await open_incident(alice, bot, "Customer DB leak")

    # the room: name, alias, topic, history, encryption, pinned card, power levels
    assert (await alice.state(room, "m.room.name"))["name"] == "INC-1: Customer DB leak"
    alias = (await alice.state(room, "m.room.canonical_alias"))["alias"]
    assert alias == "#inc-1-customer-db-leak:localhost"
    topic = (await alice.state(room, "m.room.topic"))["topic"]
    assert "SEV2 · investigating · commander: " in topic
    history = await alice.state(room, "m.room.history_visibility")
    assert history["history_visibility"] == "shared"
    encryption = await alice.state(room, "m.room.encryption")
    assert encryption["algorithm"] == "m.megolm.v1.aes-sha2"
    card = await alice.wait_notice(room, bot.user_id, "INC-1: Customer DB leak")
    assert card.decrypted, "the card is sent encrypted"
    pinned = await alice.wait_state(room, "m.room.pinned_events", lambda c: c.get("pinned"))
    assert pinned["pinned"] == [card.event_id]
    levels = await alice.wait_state(room, "m.room.power_levels", lambda c: c["users"])
    assert levels["users"].get(alice.user_id) == 50

    # commands and messages, read encrypted and answered encrypted
    reply = await command(alice, room, bot, "!incident note rotated the leaked key", "noted")
    assert next(n for n in alice.notices(room, bot.user_id) if n.event_id == reply).decrypted
    for typed, answer in EVERY_VERB:
        await command(alice, room, bot, typed, answer)
    said = await alice.say(room, "exfiltration seen from 10.0.0.5")
    await alice.react(room, said, "📌️")
    oops = await alice.say(room, "oops, wrong window")
    await alice.redact(room, oops)

    # roles move power levels; a new deputy is invited
    await command(alice, room, bot, f"!inc role deputy {bob.user_id}", "is now deputy")
    await bob.wait_for(lambda: room in bob.invites)
    await alice.wait_for(lambda: edits_of(alice, card.event_id))  # the card, edited in place
    levels = await alice.wait_state(room, PL, lambda c: bob.user_id in c["users"])
    assert levels["users"][bob.user_id] == 50
    carol = synapse.register("carol")
    await command(alice, room, bot, f"!inc role deputy {carol.user_id}", "taking over")
    levels = await alice.wait_state(room, PL, lambda c: carol.user_id in c["users"])
    assert levels["users"][carol.user_id] == 50
    assert bob.user_id not in levels["users"], "the handover took bob's power level"
    assert levels["users"].get(alice.user_id) == 50

    await command(alice, room, bot, "!inc resolve key rotated, access revoked", "resolved")
    await command(alice, room, bot, "!inc close", "is closed")
    levels = await alice.wait_state(room, PL, lambda c: c["events_default"] == 100)
    assert levels["users"].get(alice.user_id, 0) < levels["events_default"], "read-only"

    data = export(bot)
    kinds = [entry["kind"] for entry in data["timeline"]]
    texts = [entry["text"] for entry in data["timeline"]]
    assert data["state"] == "closed"
    assert data["rooms"][0]["room_id"] == room
    assert data["rooms"][0]["workspace"] == "localhost"
    for kind in ("opened", "note", "message", "pinned", "deleted", "role", "resolved"):
        assert kind in kinds, (kind, kinds)
    assert "rotated the leaked key" in texts
    assert any("📌" in t and "exfiltration seen" in t for t in texts)
    assert any(t.startswith("removed a message") for t in texts)
    assert data["roles"]["deputy"]["user_id"] == carol.user_id
    assert all(e["actor"]["user_id"] != bot.user_id for e in data["timeline"])


async def test_encryption_can_be_turned_off_in_config(
    synapse: Homeserver, bot_account: tuple[Account, str], alice: Human, tmp_path: Path
) -> None:
    account, env = bot_account
    bot = await start_bot(bot_config(synapse, account, tmp_path, env, encrypt=False))
    try:
        room = await open_incident(alice, bot, "Public advisory draft", encrypted=False)
        assert await alice.state(room, "m.room.encryption") == {}
        reply = await command(alice, room, bot, "!inc note plain text", "noted")
        notice = next(n for n in alice.notices(room, bot.user_id) if n.event_id == reply)
        assert not notice.decrypted
    finally:
        await bot.app.stop()
