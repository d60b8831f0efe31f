"""A playbook applied across Slack and a real Synapse: each war room gets its checklist, cert's
Matrix room a numbered list edited in place when its liaison ticks a task from Matrix."""

from __future__ import annotations

from nio import RoomMessageNotice

from tests.integration.matrix.cross_platform.world import T1, World, until


def checklists_on_matrix(world: World) -> list[RoomMessageNotice]:
    return [
        n
        for n in world.cora.notices(world.rooms["cert"], world.bot_id)
        if "INC-1 checklist:" in n.body
    ]


def edits_of(world: World, event_id: str) -> list[str]:
    return [
        n.source["content"]["m.new_content"]["body"]
        for n in checklists_on_matrix(world)
        if n.source["content"].get("m.relates_to", {}).get("event_id") == event_id
    ]


async def test_a_playbook_gives_every_room_its_checklist_and_a_tick_on_matrix_edits_it(
    world: World,
) -> None:
    await world.command("playbook ransomware", channel=world.rooms["acme"], team=T1)
    await world.settle()

    # acme's channel: a checklist message with a checkbox per task (Block Kit)
    def slack_checklist() -> dict[str, object] | None:
        messages = world.fake.channels[world.rooms["acme"]].messages.values()
        return next((m for m in messages if "INC-1 checklist:" in str(m["text"])), None)

    posted = await until(slack_checklist)
    boxes = [
        element
        for block in posted["blocks"]  # type: ignore[attr-defined]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "checkboxes"
    ]
    assert sum(len(b["options"]) for b in boxes) >= 10

    # cert's room: a numbered list, the same tasks (the incident is AMBER, cert may see it)
    first = await world.cora.wait_for(
        lambda: next(
            (n for n in checklists_on_matrix(world) if "m.new_content" not in n.source["content"]),
            None,
        )
    )
    assert "0 of" in first.body and "1. Isolate affected hosts" in first.body

    # cert's liaison ticks task 1 from Matrix: the list is edited in place, not posted again
    await world.cert_says("!incident task done 1 isolated at the edge")
    edited = await world.cora.wait_for(lambda: edits_of(world, first.event_id))
    assert "1 of" in edited[-1]
    originals = [
        n for n in checklists_on_matrix(world) if "m.new_content" not in n.source["content"]
    ]
    assert len(originals) == 1, "edited in place"

    # and acme's Slack checklist follows: task 1 ticked
    def ticked() -> bool:
        message = slack_checklist()
        return message is not None and "1 of" in str(message["text"])

    await until(ticked)
