"""The "open an incident" modal: the view, and its submission turned into `open ...` words."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DEFAULT_SEVERITY, DEFAULT_TLP, SEVERITY_NAMES

CALLBACK_ID = "warroom_open"
TITLE_LIMIT = 150
SEVERITIES = tuple((str(n), f"SEV{n} — {name}") for n, name in SEVERITY_NAMES.items())
TLPS = tuple(level.label for level in Tlp)


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False) -> Any:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }


def open_view(*, channel: str, orgs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The modal; `orgs` are (id, name) of the organisations the caller may bring in."""
    sev_options = [_option(v, label) for v, label in SEVERITIES]
    tlp_options = [_option(t.lower(), f"TLP:{t}") for t in TLPS]
    blocks = [
        _input(
            "title",
            "What is happening?",
            {
                "type": "plain_text_input",
                "max_length": TITLE_LIMIT,
                "placeholder": {"type": "plain_text", "text": "Customer DB credentials leaked"},
            },
        ),
        _input(
            "sev",
            "Severity",
            {
                "type": "static_select",
                "options": sev_options,
                "initial_option": sev_options[DEFAULT_SEVERITY - 1],
            },
        ),
        _input(
            "tlp",
            "Traffic Light Protocol",
            {
                "type": "static_select",
                "options": tlp_options,
                "initial_option": tlp_options[TLPS.index(DEFAULT_TLP.label)],
            },
        ),
    ]
    if orgs:
        blocks.append(
            _input(
                "orgs",
                "Other organisations to bring in",
                {"type": "multi_static_select", "options": [_option(i, n) for i, n in orgs]},
                optional=True,
            )
        )
    blocks.append(
        _input(
            "exercise",
            "Drill",
            {
                "type": "checkboxes",
                "options": [_option("yes", "This is an exercise")],
            },
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Open an incident"},
        "submit": {"type": "plain_text", "text": "Open"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": blocks,
    }


@dataclass(frozen=True)
class Submission:
    channel: str
    command: str = ""  # `open ...` for the core, when the input is valid
    errors: dict[str, str] | None = None  # block id -> what is wrong, shown in the modal


def read_submission(view: dict[str, Any], *, allowed_orgs: Sequence[str]) -> Submission:
    values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})
    try:
        channel = str(json.loads(view.get("private_metadata") or "{}").get("channel", ""))
    except json.JSONDecodeError:
        channel = ""

    def element(block: str) -> dict[str, Any]:
        return values.get(block, {}).get(block, {}) or {}

    errors: dict[str, str] = {}
    title = " ".join(str(element("title").get("value") or "").split())
    if not title:
        errors["title"] = "Give the incident a title."
    elif len(title) > TITLE_LIMIT:
        errors["title"] = f"Keep the title within {TITLE_LIMIT} characters."
    sev = str((element("sev").get("selected_option") or {}).get("value", str(DEFAULT_SEVERITY)))
    if sev not in {v for v, _ in SEVERITIES}:
        errors["sev"] = "Pick a severity from 1 to 4."
    tlp = str(
        (element("tlp").get("selected_option") or {}).get("value", DEFAULT_TLP.label)
    ).upper()
    if tlp not in TLPS:
        errors["tlp"] = "Pick a TLP level."
    orgs = [str(o.get("value")) for o in element("orgs").get("selected_options") or []]
    unknown = [o for o in orgs if o not in allowed_orgs]
    if unknown:
        errors["orgs"] = f"You cannot bring in {', '.join(unknown)}."
    if errors:
        return Submission(channel, errors=errors)
    words = ["open", "--sev", sev, "--tlp", tlp.lower()]
    for org in orgs:
        words += ["--org", org]
    if element("exercise").get("selected_options"):
        words.append("--exercise")
    words += ["--", title]  # a title is never read as an option, whatever it starts with
    return Submission(channel, command=shlex.join(words))
