"""The checklist as Slack checkboxes: ticking one is `task done N` by whoever ticked, sent as
a signed `block_actions` request of Slack's shape; refusals are answered privately."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.integration.slack.rig import ALICE, BOB, SlackRig, payload

ACTION = "warroom_task"


def checklist(rig: SlackRig, room: str) -> dict[str, Any]:
    """The checklist message in the war room, as Slack keeps it (edited in place)."""
    channel = rig.fake.channels[room]
    found = [
        m
        for m in channel.messages.values()
        if any(b.get("type") == "actions" for b in m["blocks"])
    ]
    assert len(found) == 1, found
    return found[0]


def boxes(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b["elements"][0] for b in message["blocks"] if b.get("type") == "actions"]


def ticked(message: dict[str, Any]) -> list[str]:
    return [o["value"] for box in boxes(message) for o in box.get("initial_options", [])]


def click(
    rig: SlackRig, room: str, message: dict[str, Any], number: int, *, user: str = ALICE
) -> dict[str, Any]:
    """Slack's request when `user` clicks task `number`'s box in `message` as it shows now."""
    body = payload("block_actions_checkboxes")
    block = next(
        b
        for b in message["blocks"]
        if b.get("type") == "actions"
        and any(o["value"] == str(number) for o in b["elements"][0]["options"])
    )
    element = block["elements"][0]
    selected = list(element.get("initial_options", []))
    option = next(o for o in element["options"] if o["value"] == str(number))
    if option in selected:
        selected.remove(option)
    else:
        selected.append(option)
    body["user"].update(id=user, username=user.removeprefix("U0").lower(), name="")
    body["container"].update(message_ts=message["ts"], channel_id=room)
    body["channel"]["id"] = room
    body["message"].update(ts=message["ts"], blocks=message["blocks"], text=message["text"])
    body["response_url"] = rig.fake.response_url()
    body["state"]["values"] = {
        block["block_id"]: {ACTION: {"type": "checkboxes", "selected_options": selected}}
    }
    clicked_at = f"{time.time():.6f}"  # each click has its own
    body["actions"][0].update(
        block_id=block["block_id"], selected_options=selected, action_ts=clicked_at
    )
    return body


async def opened_with_tasks(rig: SlackRig, *texts: str) -> str:
    await rig.command('open "Customer DB credentials leaked" --sev 2')
    await rig.settle()
    room = rig.room_of()
    for text in texts:
        await rig.command(f"task add {text}", channel=room)
    await rig.settle()
    return room


async def test_the_checklist_is_a_checkbox_per_task_ticked_when_done(rig: SlackRig) -> None:
    room = await opened_with_tasks(
        rig, '"rotate the key" --owner commander --due 2h', "check logs"
    )
    await rig.command("task done 2", channel=room)
    await rig.settle()
    message = checklist(rig, room)
    [box] = boxes(message)
    assert box["type"] == "checkboxes" and box["action_id"] == ACTION
    first, second = box["options"]
    assert first["text"] == {"type": "mrkdwn", "text": "*1.* rotate the key"}
    assert first["value"] == "1"
    assert first["description"]["text"].startswith("commander (alice) · due ")
    assert second["description"]["text"] == "done by alice"
    assert box["initial_options"] == [second]
    assert "rotate the key" in message["text"], "the fallback keeps the lines"


async def test_more_than_ten_tasks_take_several_checkbox_blocks(rig: SlackRig) -> None:
    room = await opened_with_tasks(rig, *(f"step-{n}" for n in range(1, 24)))
    found = boxes(checklist(rig, room))
    assert [len(b["options"]) for b in found] == [10, 10, 3]
    assert all(len(o["text"]["text"]) <= 75 for b in found for o in b["options"])
    assert [b["block_id"] for b in checklist(rig, room)["blocks"] if b["type"] == "actions"] == [
        "warroom_checklist:0",
        "warroom_checklist:10",
        "warroom_checklist:20",
    ]


async def test_a_checklist_past_fifty_tasks_shows_the_open_ones_and_says_so(
    rig: SlackRig,
) -> None:
    room = await opened_with_tasks(rig, *(f"step-{n}" for n in range(1, 56)))
    for number in range(1, 6):
        await rig.command(f"task done {number}", channel=room)
    await rig.settle()
    message = checklist(rig, room)
    shown = [int(o["value"]) for box in boxes(message) for o in box["options"]]
    assert shown == list(range(6, 56)), "the 50 open tasks; the done ones give way"
    assert ticked(message) == []
    header = next(b for b in message["blocks"] if b["type"] == "header")
    assert header["text"]["text"].endswith("checklist: 5 of 55 done")
    footer = message["blocks"][-1]
    assert footer["type"] == "context"
    assert "50 of 55 tasks shown, the open ones first" in footer["elements"][0]["text"]
    assert len(message["blocks"]) <= 50, "within Slack's limit on blocks"

    await rig.interaction(click(rig, room, message, 55))  # the newest is there to tick
    await rig.settle()
    [task] = [t for t in rig.export()["tasks"] if t["number"] == 55]
    assert task["done_at"]
    after = checklist(rig, room)
    assert [int(o["value"]) for b in boxes(after) for o in b["options"]] == list(range(6, 56))
    assert ticked(after) == ["55"], "49 open, and the one room left goes to the latest done"


async def test_ticking_a_box_is_task_done_by_whoever_ticked(rig: SlackRig) -> None:
    room = await opened_with_tasks(rig, "rotate the key", "check logs")
    await rig.command(f"invite <@{BOB}|bob>", channel=room)
    await rig.settle()
    ack = await rig.interaction(click(rig, room, checklist(rig, room), 2, user=BOB))
    assert ack.status == 200
    await rig.settle()
    [task] = [t for t in rig.export()["tasks"] if t["number"] == 2]
    assert task["done_by"]["user_id"] == BOB and task["done_at"]
    assert ticked(checklist(rig, room)) == ["2"]
    entries = [e["text"] for e in rig.export()["timeline"] if e["kind"] == "task"]
    assert entries[-1] == "Task #2 done"

    await rig.interaction(click(rig, room, checklist(rig, room), 2, user=BOB))  # unticked
    await rig.settle()
    assert ticked(checklist(rig, room)) == []
    assert [e["text"] for e in rig.export()["timeline"]][-1] == "Task #2 reopened"


async def test_the_same_click_delivered_twice_ticks_once(http_rig: SlackRig) -> None:
    room = await opened_with_tasks(http_rig, "rotate the key")
    body = click(http_rig, room, checklist(http_rig, room), 1)
    for _ in range(2):
        assert (await http_rig.interaction(body)).status == 200
        await http_rig.settle()
    entries = [e["text"] for e in http_rig.export()["timeline"] if e["kind"] == "task"]
    assert entries == ["Task #1 added: rotate the key", "Task #1 done"]


async def test_a_refused_tick_is_answered_privately_and_changes_nothing(rig: SlackRig) -> None:
    room = await opened_with_tasks(rig, "rotate the key")
    stale = copy.deepcopy(checklist(rig, room))  # Slack's copy is edited in place
    await rig.command("task done 1", channel=room)
    await rig.settle()
    before = rig.export()["timeline"]
    answers = len(rig.fake.responses)
    await rig.interaction(click(rig, room, stale, 1))  # ticked again from an old view
    await rig.settle()
    assert rig.export()["timeline"] == before
    [refusal] = rig.fake.responses[answers:]
    assert refusal["response_type"] == "ephemeral"
    assert "task #1 is done already" in refusal["text"]
