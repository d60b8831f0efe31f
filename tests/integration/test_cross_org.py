"""One incident, a war room per organisation, kept in step under TLP 2.0."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.operations.export import incident_export


@pytest.fixture
async def orgs(store_url: str) -> AsyncIterator[CrossOrgBot]:
    bot = CrossOrgBot(store_url)
    await bot.command(
        'open "Leaked keys" --sev 1 --tlp amber --org cert', name="alice", org="acme"
    )
    await bot.command("invite cloud", name="alice", org="acme")
    for adapter in (bot.chat, bot.mx):
        adapter.clear()
    yield bot
    await bot.app.stop()


def export(bot: CrossOrgBot, as_org: str | None = None) -> dict:
    return bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=bot.config, as_org=as_org)
    )


async def test_each_org_gets_a_room_on_its_own_platform_with_its_liaison(
    orgs: CrossOrgBot,
) -> None:
    assert set(orgs.rooms) == {"acme", "cert", "cloud"}
    assert orgs.rooms["cert"].platform == "mx" and orgs.rooms["cloud"].workspace == "T2"
    data = export(orgs)
    assert data["orgs"] == ["acme", "cert", "cloud"]
    assert data["roles"]["liaison:cert"]["user_id"] == "cora"
    assert data["roles"]["liaison:cloud"]["user_id"] == "carl"


async def test_an_org_without_an_agreement_is_refused(orgs: CrossOrgBot) -> None:
    await orgs.command("invite rogue", name="alice", org="acme")
    refusal = orgs.chat.of_kind("notify")[-1].text
    assert "no sharing agreement between acme and rogue" in refusal
    assert "rogue" not in export(orgs)["orgs"]


async def test_amber_reaches_orgs_whose_agreement_allows_and_the_sender_learns_why_not(
    orgs: CrossOrgBot,
) -> None:
    await orgs.say("we see logins from 203.0.113.9", name="alice", org="acme")
    assert orgs.posts_in("cert") == ["[ACME] alice: we see logins from 203.0.113.9"]
    assert orgs.posts_in("cloud") == []
    told = orgs.chat.of_kind("notify")[-1]
    assert told.user is not None and told.user.user_id == "alice"
    assert "not relayed to cloud: TLP:AMBER is above the TLP:GREEN agreed" in told.text
    relay = export(orgs)["timeline"][-1]
    assert relay["kind"] == "relay"
    assert "relayed to cert" in relay["text"] and "withheld from cloud" in relay["text"]
    assert "203.0.113.9" not in relay["text"], "the decision does not copy the message"


@pytest.mark.parametrize(
    ("text", "cert", "cloud"),
    [
        ("TLP:RED the attacker is in our HR system", False, False),
        ("TLP:AMBER+STRICT internal only", False, False),
        ("TLP:AMBER share with partners", True, False),
        ("TLP:GREEN block 198.51.100.7", True, True),
        ("TLP:CLEAR advisory published", True, True),
    ],
)
async def test_each_tlp_level_from_acme(
    orgs: CrossOrgBot, text: str, cert: bool, cloud: bool
) -> None:
    await orgs.say(text, name="alice", org="acme")
    assert bool(orgs.posts_in("cert")) is cert
    assert bool(orgs.posts_in("cloud")) is cloud
    if cert:
        assert orgs.mx.of_kind("post")[-1].message.tlp == text.split()[0][4:]


async def test_the_agreement_cap_between_cert_and_cloud(orgs: CrossOrgBot) -> None:
    await orgs.say("TLP:AMBER from the CERT", name="cora", org="cert")
    assert orgs.posts_in("cloud") == ["[CERT] cora: TLP:AMBER from the CERT"]
    assert orgs.posts_in("acme") == ["[CERT] cora: TLP:AMBER from the CERT"]


async def test_secrets_are_redacted_from_copies_and_exports_but_kept_in_the_chain(
    orgs: CrossOrgBot,
) -> None:
    await orgs.say(
        "TLP:GREEN the leaked key was AKIAIOSFODNN7EXAMPLE, password: hunter22",
        name="alice",
        org="acme",
    )
    copy = orgs.posts_in("cert")[0]
    assert "AKIAIOSFODNN7EXAMPLE" not in copy and "hunter22" not in copy
    assert copy.count("[redacted]") == 2
    exported = [e for e in export(orgs)["timeline"] if e["kind"] == "message"][-1]
    assert "AKIAIOSFODNN7EXAMPLE" not in exported["text"], "exports travel: redacted too"
    stored = orgs.app.store.transaction_sync(
        lambda uow: [e.text for e in uow.timeline.entries(1) if e.kind == "message"][-1]
    )
    assert "AKIAIOSFODNN7EXAMPLE" in stored, "the hash chain keeps what was said"


async def test_messages_keep_their_order_in_every_room(orgs: CrossOrgBot) -> None:
    for n in range(5):
        await orgs.say(f"TLP:GREEN step {n}", name="alice", org="acme")
    expected = [f"[ACME] alice: TLP:GREEN step {n}" for n in range(5)]
    assert orgs.posts_in("cert") == expected
    assert orgs.posts_in("cloud") == expected


async def test_a_reply_is_threaded_under_the_copy(orgs: CrossOrgBot) -> None:
    original = await orgs.say("TLP:GREEN seen this?", name="alice", org="acme")
    copy_in_cert = orgs.mx.of_kind("post")[-1].extra["message_id"]
    copy_in_cloud = next(
        s.extra["message_id"] for s in orgs.chat.of_kind("post") if s.room == orgs.rooms["cloud"]
    )
    await orgs.say("TLP:GREEN yes, same here", name="cora", org="cert", reply_to=copy_in_cert)
    replies = {s.room: s.message.reply_to for s in orgs.chat.of_kind("post")[-2:] if s.message}
    assert replies == {orgs.rooms["acme"]: original, orgs.rooms["cloud"]: copy_in_cloud}


async def test_deleting_the_original_deletes_its_copies(orgs: CrossOrgBot) -> None:
    said = await orgs.say("TLP:GREEN oops, wrong room", name="alice", org="acme")
    await orgs.delete(said, name="alice", org="acme")
    deleted = orgs.chat.of_kind("delete") + orgs.mx.of_kind("delete")
    assert {d.room for d in deleted} == {orgs.rooms["cert"], orgs.rooms["cloud"]}
    assert export(orgs)["timeline"][-1]["kind"] == "deleted"


async def test_editing_the_original_edits_copies_or_pulls_them_back(orgs: CrossOrgBot) -> None:
    said = await orgs.say("TLP:GREEN first version", name="alice", org="acme")
    await orgs.edit(said, "TLP:GREEN second version", name="alice", org="acme")
    edits = orgs.chat.of_kind("edit") + orgs.mx.of_kind("edit")
    assert (
        sorted(e.message.body for e in edits if e.message)
        == ["[ACME] alice: TLP:GREEN second version"] * 2
    )
    await orgs.edit(said, "TLP:AMBER third version", name="alice", org="acme")
    deleted = orgs.chat.of_kind("delete")
    assert [d.room for d in deleted] == [orgs.rooms["cloud"]]


async def test_commands_in_any_room_act_on_the_one_incident(orgs: CrossOrgBot) -> None:
    await orgs.command("note from the CERT side", name="cora", org="cert")
    await orgs.command("sev 2", name="alice", org="acme")
    topics = [s.extra["topic"] for s in orgs.chat.of_kind("topic") + orgs.mx.of_kind("topic")]
    assert len(topics) == 3 and all(t.startswith("SEV2") for t in topics)
    timeline = export(orgs)["timeline"]
    assert any(e["text"] == "from the CERT side" and e["actor"]["org"] == "cert" for e in timeline)


async def test_each_org_exports_only_what_it_may_see(orgs: CrossOrgBot) -> None:
    await orgs.say("TLP:RED acme eyes only", name="alice", org="acme")
    await orgs.say("TLP:AMBER for partners", name="alice", org="acme")
    await orgs.say("TLP:GREEN for everyone", name="alice", org="acme")
    texts = {
        org: [e["text"] for e in export(orgs, org)["timeline"] if not e.get("withheld")]
        for org in ("acme", "cert", "cloud")
    }
    assert "TLP:RED acme eyes only" in texts["acme"]
    assert "TLP:RED acme eyes only" not in texts["cert"] + texts["cloud"]
    assert "TLP:AMBER for partners" in texts["cert"]
    assert "TLP:AMBER for partners" not in texts["cloud"]
    assert "TLP:GREEN for everyone" in texts["cloud"]
    assert [r["org"] for r in export(orgs, "cloud")["rooms"]] == ["cloud"]
