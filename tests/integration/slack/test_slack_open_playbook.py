"""The Slack open form offers the playbooks; choosing one submits `open ... --playbook NAME`."""

from __future__ import annotations

from typing import Any

from tests.integration.slack.rig import SlackRig, payload

SHIPPED = [
    "ddos",
    "leaked-credentials",
    "personal-data-breach",
    "ransomware",
    "vulnerability-disclosure",
]


async def opened_form(rig: SlackRig) -> dict[str, Any]:
    await rig.command("open")
    await rig.settle()
    (view,) = rig.fake.views
    return view


def submission(view: dict[str, Any], playbook: str | None) -> dict[str, Any]:
    body = payload("view_submission")
    body["view"]["private_metadata"] = view["private_metadata"]
    if playbook is not None:
        body["view"]["state"]["values"]["playbook"] = {
            "playbook": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": playbook},
                    "value": playbook,
                },
            }
        }
    return body


async def test_the_form_offers_every_playbook_by_title_and_name(rig: SlackRig) -> None:
    view = await opened_form(rig)
    [block] = [b for b in view["blocks"] if b["block_id"] == "playbook"]
    assert block["optional"] is True
    assert block["label"]["text"] == "Playbook"
    element = block["element"]
    assert element["type"] == "static_select" and element["action_id"] == "playbook"
    assert [o["value"] for o in element["options"]] == SHIPPED
    assert element["options"][3]["text"] == {
        "type": "plain_text",
        "text": "Ransomware (ransomware)",
    }
    assert all(len(o["text"]["text"]) <= 75 for o in element["options"])


async def test_choosing_a_playbook_opens_the_incident_with_its_tasks(rig: SlackRig) -> None:
    view = await opened_form(rig)
    ack = await rig.interaction(submission(view, "ransomware"))
    assert ack.status == 200 and not (ack.body or {}).get("errors")
    await rig.settle()
    data = rig.export()
    assert len(data["tasks"]) >= 10
    assert {t["playbook"] for t in data["tasks"]} == {"ransomware"}
    kinds = [e["kind"] for e in data["timeline"]]
    assert "playbook" in kinds


async def test_no_playbook_chosen_opens_without_tasks(rig: SlackRig) -> None:
    view = await opened_form(rig)
    await rig.interaction(submission(view, None))
    await rig.settle()
    assert rig.export()["tasks"] == []


async def test_a_playbook_that_is_not_offered_is_refused_in_the_form(rig: SlackRig) -> None:
    view = await opened_form(rig)
    ack = await rig.interaction(submission(view, "no-such-playbook"))
    assert ack.body["response_action"] == "errors"
    assert ack.body["errors"] == {"playbook": "There is no playbook no-such-playbook now."}
    assert not rig.fake.of("conversations.create")
