"""A ticked or unticked checklist checkbox (a `block_actions` request) as task commands.

The request carries the message as Slack shows it, so what the checkboxes said before the
click is read from the message's blocks and compared with what is ticked now: a box ticked
is `task done N`, one unticked is `task reopen N`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warroom.adapters.slack.render import CHECKLIST_ACTION


@dataclass(frozen=True)
class Tick:
    words: str  # `task done 3`
    number: int


def ticks(body: dict[str, Any]) -> list[Tick]:
    """The task commands a checklist click means; none for anything else."""
    blocks = (body.get("message") or {}).get("blocks") or []
    found: list[Tick] = []
    for action in body.get("actions") or []:
        if not isinstance(action, dict) or action.get("action_id") != CHECKLIST_ACTION:
            continue
        now = _numbers(action.get("selected_options"))
        before = _numbers(_initial(blocks, str(action.get("block_id", ""))))
        found += [Tick(f"task done {n}", n) for n in sorted(now - before)]
        found += [Tick(f"task reopen {n}", n) for n in sorted(before - now)]
    return found


def _initial(blocks: list[Any], block_id: str) -> list[Any]:
    for block in blocks:
        if isinstance(block, dict) and block.get("block_id") == block_id:
            for element in block.get("elements") or []:
                if isinstance(element, dict) and element.get("action_id") == CHECKLIST_ACTION:
                    return list(element.get("initial_options") or [])
    return []


def _numbers(options: object) -> set[int]:
    if not isinstance(options, list):
        return set()
    values = (str(o.get("value", "")) for o in options if isinstance(o, dict))
    return {int(v) for v in values if v.isdigit()}
