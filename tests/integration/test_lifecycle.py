"""Every verb through the whole core, against the fake adapter."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.bot import TestBot
from warroom.bot.operations.export import incident_export


def export(bot: TestBot, key: str = "INC-1") -> dict:
    return bot.app.store.transaction_sync(lambda uow: incident_export(uow, key))


async def test_open_makes_the_opener_commander_and_posts_the_card(bot: TestBot) -> None:
    sent = await bot.send('open "Customer DB credentials leaked" --sev 1 --tlp amber')
    kinds = [s.kind for s in sent]
    assert kinds[:1] == ["create_room"]
    assert "post" in kinds and "pin" in kinds
    reply = sent[-1]
    assert reply.kind == "notify" and "Opened INC-1" in reply.text
    spec = sent[0].extra["spec"]
    assert spec.name == "inc-1-customer-db-credentials-leaked"
    assert [u.user_id for u in spec.invitees] == ["alice"]
    data = export(bot)
    assert data["severity"] == 1 and data["tlp"] == "AMBER" and data["state"] == "investigating"
    assert data["roles"]["commander"]["user_id"] == "alice"
    assert [e["kind"] for e in data["timeline"]] == ["opened", "role"]


async def test_keys_count_up_and_list_shows_open_incidents_of_my_org(bot: TestBot) -> None:
    await bot.send('open "first"')
    await bot.send('open "second" --exercise')
    sent = await bot.send("list")
    assert "INC-1" in sent[-1].text and "INC-2" in sent[-1].text and "[EXERCISE]" in sent[-1].text
    sent = await bot.send("list", user="zed", org="other")
    assert "No open incidents" in sent[-1].text


async def test_note_update_and_state_change_update_the_card_and_topic(bot: TestBot) -> None:
    room = await bot.open()
    bot.adapter.clear()
    await bot.send("note rotated the key")
    sent = await bot.send('update "blocked the attacker IP" --state contained')
    assert sent[0].kind == "post" and "blocked the attacker IP" in sent[0].text
    topics = [s.extra["topic"] for s in sent if s.kind == "topic"]
    assert topics == ["SEV2 · contained · commander: alice · TLP:AMBER"]
    edits = [s for s in sent if s.kind == "edit"]
    assert edits and edits[0].room == room and "contained" in edits[0].text
    data = export(bot)
    assert [e["kind"] for e in data["timeline"]][-3:] == ["note", "update", "state"]
    assert data["metrics"]["time_to_acknowledge_s"] == 0
    assert data["metrics"]["time_to_contain_s"] == 0


async def test_metrics_measure_from_opening(bot: TestBot) -> None:
    await bot.open()
    bot.clock.advance(timedelta(minutes=5))
    await bot.send("note looking")  # a note does not acknowledge
    bot.clock.advance(timedelta(minutes=5))
    await bot.send("update on it")
    bot.clock.advance(timedelta(minutes=20))
    await bot.send("update fenced --state contained")
    bot.clock.advance(timedelta(hours=1))
    await bot.send("resolve all clear")
    metrics = export(bot)["metrics"]
    assert metrics == {
        "time_to_acknowledge_s": 600.0,
        "time_to_contain_s": 1800.0,
        "time_to_resolve_s": 5400.0,
        "tasks_done": 0,
        "tasks_total": 0,
        "tasks_overdue": 0,
    }


async def test_role_handover_keeps_history_and_moves_permissions(bot: TestBot) -> None:
    await bot.open()
    await bot.send("invite @bob")
    sent = await bot.send("role commander @bob")
    assert "taking over from alice" in sent[0].text
    denied = await bot.send("sev 1")
    assert "not allowed" in denied[0].text
    allowed = await bot.send("sev 1", user="bob")
    assert allowed[0].kind == "post"
    data = export(bot)
    history = [(r["role"], r["user_id"], r["released_at"] is None) for r in data["role_history"]]
    assert history == [("commander", "alice", False), ("commander", "bob", True)]
    assert data["roles"]["commander"]["user_id"] == "bob"


async def test_deputy_may_lead_and_roles_lists_everyone(bot: TestBot) -> None:
    await bot.open()
    await bot.send("role deputy @bob")
    await bot.send("role scribe @carol")
    await bot.send("tlp green", user="bob")
    sent = await bot.send("roles", user="carol")
    text = sent[-1].text
    assert "Commander" in text and "Deputy" in text and "Scribe" in text
    assert export(bot)["tlp"] == "GREEN"


async def test_timeline_last_and_status(bot: TestBot) -> None:
    await bot.open()
    for n in range(5):
        await bot.send(f"note step {n}")
    sent = await bot.send("timeline --last 2")
    assert sent[-1].kind == "notify"
    assert "step 3" in sent[-1].text and "step 4" in sent[-1].text
    assert "step 2" not in sent[-1].text
    sent = await bot.send("status")
    assert "INC-1: DB leak" in sent[-1].text and "SEV2" in sent[-1].text


async def test_commands_from_elsewhere_take_an_incident_id(bot: TestBot) -> None:
    await bot.open()
    lobby = bot.room.__class__(bot.room.platform, "W1", "lobby")
    sent = await bot.send("note from the lobby --id inc-1", room=lobby)
    assert sent[0].kind == "notify" and sent[0].room == lobby, "only the caller is told there"
    assert export(bot)["timeline"][-1]["text"] == "from the lobby"


async def test_resolve_posts_metrics_and_final_timeline_then_close_archives(bot: TestBot) -> None:
    room = await bot.open()
    await bot.send("note done")
    sent = await bot.send("resolve keys rotated")
    assert "Time to resolve" in sent[0].text and "keys rotated" in sent[0].text
    again = await bot.send("resolve")
    assert "already resolved" in again[0].text
    sent = await bot.send("close")
    assert any(s.kind == "archive" and s.room == room for s in sent)
    data = export(bot)
    assert data["state"] == "closed" and data["closed_at"] and data["resolved_at"]
    refused = await bot.send("note too late")
    assert "closed" in refused[0].text


async def test_messages_in_a_war_room_are_captured_and_make_a_participant(bot: TestBot) -> None:
    await bot.open()
    await bot.say("saw odd logins from 203.0.113.9", user="dave")
    await bot.say("not captured", room=bot.room.__class__("fake", "W1", "elsewhere"))
    timeline = export(bot)["timeline"]
    assert timeline[-1]["kind"] == "message" and timeline[-1]["actor"]["user_id"] == "dave"
    assert all(e["text"] != "not captured" for e in timeline)
    sent = await bot.send("note dave can note now", user="dave")
    assert sent[0].kind == "post"


async def test_help_is_generated_from_the_declarations(bot: TestBot) -> None:
    sent = await bot.send("help")
    text = sent[-1].text
    for verb in (
        "open",
        "update",
        "note",
        "role",
        "roles",
        "sev",
        "tlp",
        "invite",
        "timeline",
        "status",
        "resolve",
        "close",
        "list",
        "help",
    ):
        assert f"\n  {verb}" in text or text.startswith(verb) or f" {verb} " in text, verb
    detail = await bot.send("help open")
    assert "open TITLE [--sev 1-4]" in detail[-1].text and "anyone" in detail[-1].text
