"""Issue 6's scenario on real sockets: acme and cloud on two workspaces of the fake Slack
(signed HTTP events), cert on the session's Synapse, one warroom with both adapters.

Absence is never waited for with sleeps: a test that checks what did not arrive first sends
marker messages from both platforms, and once the markers have arrived everywhere, whatever
was said before them has been relayed (or withheld) already: each room's copies keep order.
"""

from __future__ import annotations

from tests.integration.matrix.cross_platform.world import (
    ALICE,
    CARL,
    T1,
    T2,
    T9,
    World,
    until,
)


async def markers(world: World, *, slack: str = "acme", tag: str = "end") -> None:
    """A CLEAR marker from a Slack org and from cert, waited for in every other room."""
    other = "cloud" if slack == "acme" else "acme"
    prefix = "[ACME] alice" if slack == "acme" else "[CLOUD] carl"
    await world.slack_says(slack, f"TLP:CLEAR {tag} from slack")
    await world.matrix_copy(f"{prefix}: TLP:CLEAR {tag} from slack")
    await world.slack_copy(other, f"{prefix}: TLP:CLEAR {tag} from slack")
    await world.cert_says(f"TLP:CLEAR {tag} from matrix")
    for org in ("acme", "cloud"):
        await world.slack_copy(org, f"TLP:CLEAR {tag} from matrix")


async def test_one_incident_spans_two_slack_workspaces_and_matrix_without_loops(
    world: World,
) -> None:
    rooms, fake, cora = world.rooms, world.fake, world.cora
    # the rooms: a private channel in each workspace, a Matrix room cert's liaison joined
    assert (
        fake.channels[rooms["acme"]].team == T1 and ALICE in fake.channels[rooms["acme"]].members
    )
    assert (
        fake.channels[rooms["cloud"]].team == T2 and CARL in fake.channels[rooms["cloud"]].members
    )
    assert fake.channels[rooms["cloud"]].is_private
    assert (await cora.state(rooms["cert"], "m.room.name"))["name"] == "INC-1: Leaked keys"
    assert cora.user_id in cora.client.rooms[rooms["cert"]].users
    roles = world.org_export(None)["roles"]
    assert roles["liaison:cert"]["user_id"] == cora.user_id
    assert roles["liaison:cloud"]["user_id"] == CARL

    # an organisation without an agreement is refused, and nothing is made for it
    await world.command("invite rogue", channel=rooms["acme"], team=T1)
    await world.settle()
    assert "no sharing agreement between acme and rogue" in fake.responses[-1]["text"]
    assert "rogue" not in world.org_export(None)["orgs"]
    assert not [c for c in fake.channels.values() if c.team == T9]

    # a message from each platform reaches the two others, named after org and sender
    cert = f"[CERT] {world.cora_name}"
    await world.slack_says("acme", "TLP:CLEAR hello from slack one")
    await world.matrix_copy("[ACME] alice: TLP:CLEAR hello from slack one")
    await world.slack_says("cloud", "TLP:CLEAR hello from slack two")
    await world.matrix_copy("[CLOUD] carl: TLP:CLEAR hello from slack two")
    await world.cert_says("TLP:CLEAR hello from matrix")
    await world.slack_copy("acme", f"{cert}: TLP:CLEAR hello from matrix")
    await world.slack_copy("cloud", f"{cert}: TLP:CLEAR hello from matrix")

    # Slack delivers the bot's own posts as events too; Matrix syncs them back: all ignored
    for org, team in (("acme", T1), ("cloud", T2)):
        bot = next(t for t in fake.teams.values() if t.id == team)
        for copy in list(world.slack_copies(org)):
            await world.event(
                {
                    "type": "message",
                    "channel": rooms[org],
                    "user": bot.bot_user,
                    "bot_id": bot.bot_id,
                    "text": copy["text"],
                    "ts": copy["ts"],
                    "team": team,
                },
                team=team,
            )
    await world.settle()
    await markers(world)

    assert world.copies_in("acme") == [
        "[CLOUD] carl: TLP:CLEAR hello from slack two",
        f"{cert}: TLP:CLEAR hello from matrix",
        f"{cert}: TLP:CLEAR end from matrix",
    ]
    assert world.copies_in("cloud") == [
        "[ACME] alice: TLP:CLEAR hello from slack one",
        f"{cert}: TLP:CLEAR hello from matrix",
        "[ACME] alice: TLP:CLEAR end from slack",
        f"{cert}: TLP:CLEAR end from matrix",
    ]
    assert world.copies_in("cert") == [
        "[ACME] alice: TLP:CLEAR hello from slack one",
        "[CLOUD] carl: TLP:CLEAR hello from slack two",
        "[ACME] alice: TLP:CLEAR end from slack",
    ]
    timeline = world.org_export(None)["timeline"]
    said = [(e["actor"]["org"], e["text"]) for e in timeline if e["kind"] == "message"]
    assert said == [
        ("acme", "TLP:CLEAR hello from slack one"),
        ("cloud", "TLP:CLEAR hello from slack two"),
        ("cert", "TLP:CLEAR hello from matrix"),
        ("acme", "TLP:CLEAR end from slack"),
        ("cert", "TLP:CLEAR end from matrix"),
    ], "only people's messages are captured: no copy came back as a message"
    assert len([e for e in timeline if e["kind"] == "relay"]) == len(said)


async def test_tlp_levels_and_each_agreement_cap_decide_where_copies_go(world: World) -> None:
    cert = f"[CERT] {world.cora_name}"
    for text in (
        "TLP:RED the attacker is in HR",
        "TLP:AMBER+STRICT our own people only",
        "TLP:AMBER partners may know",
        "no marking: the incident is amber",
        "TLP:GREEN block 198.51.100.7",
        "TLP:CLEAR advisory is out",
        "TLP:GREEN the key was AKIAIOSFODNN7EXAMPLE, password: hunter22",
    ):
        await world.slack_says("acme", text)
    await world.matrix_copy("[ACME] alice: TLP:GREEN the key was")
    for text in ("TLP:AMBER cert to partners", "TLP:GREEN cert to the community"):
        await world.cert_says(text)
    await world.cert_says("TLP:CLEAR cert says password: hunter22 publicly")
    await world.slack_copy("cloud", f"{cert}: TLP:CLEAR cert says")
    for text in ("TLP:AMBER cloud to partners", "TLP:GREEN cloud to the community"):
        await world.slack_says("cloud", text)
    await markers(world, slack="cloud")

    assert world.copies_in("cert") == [
        "[ACME] alice: TLP:AMBER partners may know",  # acme-cert carries AMBER
        "[ACME] alice: no marking: the incident is amber",
        "[ACME] alice: TLP:GREEN block 198.51.100.7",
        "[ACME] alice: TLP:CLEAR advisory is out",
        "[ACME] alice: TLP:GREEN the key was [redacted], password: [redacted]",
        # cert-cloud carries CLEAR only
        "[CLOUD] carl: TLP:CLEAR end from slack",
    ]
    assert world.copies_in("cloud") == [
        # acme-cloud carries GREEN, not AMBER
        "[ACME] alice: TLP:GREEN block 198.51.100.7",
        "[ACME] alice: TLP:CLEAR advisory is out",
        "[ACME] alice: TLP:GREEN the key was [redacted], password: [redacted]",
        f"{cert}: TLP:CLEAR cert says password: [redacted] publicly",
        f"{cert}: TLP:CLEAR end from matrix",
    ]
    assert world.copies_in("acme") == [
        f"{cert}: TLP:AMBER cert to partners",
        f"{cert}: TLP:GREEN cert to the community",
        f"{cert}: TLP:CLEAR cert says password: [redacted] publicly",
        "[CLOUD] carl: TLP:GREEN cloud to the community",
        "[CLOUD] carl: TLP:CLEAR end from slack",
        f"{cert}: TLP:CLEAR end from matrix",
    ]

    # senders learn privately why: ephemerally on Slack, in a notice to them on Matrix
    told = world.told_privately_on_slack()
    assert "not relayed to cert: TLP:RED stays in the room where it was said" in told
    assert "not relayed to cloud: TLP:AMBER+STRICT stays within acme" in told
    assert "not relayed to cloud: TLP:AMBER is above the TLP:GREEN agreed between" in told
    assert "not relayed to cert: TLP:AMBER is above the TLP:CLEAR agreed between" in told
    to_cora = await world.cora.wait_notice(
        world.rooms["cert"], world.bot_id, "not relayed to cloud: TLP:GREEN is above the TLP:CLEAR"
    )
    assert to_cora.source["content"]["m.mentions"] == {"user_ids": [world.cora.user_id]}

    # each organisation's export holds what it may see, and only its own room
    seen = {
        org: {e["text"] for e in world.org_export(org)["timeline"] if e.get("kind") == "message"}
        for org in ("acme", "cert", "cloud")
    }
    assert {"TLP:RED the attacker is in HR", "TLP:AMBER+STRICT our own people only"} <= seen[
        "acme"
    ]
    assert "TLP:AMBER cloud to partners" not in seen["acme"]
    assert "TLP:GREEN cloud to the community" in seen["acme"]
    assert "TLP:AMBER partners may know" in seen["cert"]
    assert not {"TLP:RED the attacker is in HR", "TLP:AMBER+STRICT our own people only"} & (
        seen["cert"] | seen["cloud"]
    )
    assert "TLP:GREEN cloud to the community" not in seen["cert"]
    assert "TLP:AMBER partners may know" not in seen["cloud"]
    assert "TLP:GREEN cert to the community" not in seen["cloud"]
    assert "TLP:GREEN block 198.51.100.7" in seen["cloud"]
    assert "TLP:CLEAR cert says password: [redacted] publicly" in seen["cloud"], (
        "exports travel: secrets are redacted in every view"
    )
    stored = world.app.store.transaction_sync(
        lambda uow: [e.text for e in uow.timeline.entries(1)]
    )
    assert "TLP:CLEAR cert says password: hunter22 publicly" in stored, "the chain keeps it"
    for org in ("acme", "cert", "cloud"):
        assert [r["org"] for r in world.org_export(org)["rooms"]] == [org]
    assert seen["acme"] != seen["cert"] != seen["cloud"] != seen["acme"]


async def test_deleting_an_original_deletes_its_copies_on_the_other_platform(
    world: World,
) -> None:
    rooms = world.rooms
    # Slack message_deleted -> the Matrix copy is redacted, the other workspace's deleted
    original = await world.slack_says("acme", "TLP:CLEAR wrong incident, sorry")
    in_matrix = await world.matrix_copy("[ACME] alice: TLP:CLEAR wrong incident")
    in_cloud = await world.slack_copy("cloud", "[ACME] alice: TLP:CLEAR wrong incident")
    await world.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": rooms["acme"],
            "deleted_ts": original,
            "previous_message": {"user": ALICE, "text": "TLP:CLEAR wrong...", "ts": original},
            "ts": f"{original}1",
            "team": T1,
        },
        team=T1,
    )
    await world.settle()
    await world.cora.wait_for(lambda: in_matrix.event_id in world.matrix_redactions())
    assert in_cloud["ts"] not in world.fake.channels[rooms["cloud"]].messages

    # a Matrix redaction -> chat.delete of each Slack copy
    said = await world.cert_says("TLP:CLEAR pasted into the wrong room")
    copies = {
        org: await world.slack_copy(org, "TLP:CLEAR pasted into the wrong room")
        for org in ("acme", "cloud")
    }
    await world.cora.redact(rooms["cert"], said)

    def deleted() -> set[tuple[str, str]]:
        return {(c.args["channel"], c.args["ts"]) for c in world.fake.of("chat.delete")}

    await until(lambda: {(rooms[o], c["ts"]) for o, c in copies.items()} <= deleted())
    for org, copy in copies.items():
        assert copy["ts"] not in world.fake.channels[rooms[org]].messages
    assert deleted() == {
        (rooms["cloud"], in_cloud["ts"]),
        *((rooms[o], c["ts"]) for o, c in copies.items()),
    }, "only copies are deleted"
    removals = [e["text"] for e in world.org_export(None)["timeline"] if e["kind"] == "deleted"]
    assert len(removals) == 2 and all("relayed copies deleted" in r for r in removals)
