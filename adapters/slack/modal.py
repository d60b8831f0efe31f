"""The "open an incident" modal: the view, and its submission turned into `open ...` words."""

from __future__ import annotations

import json
import shlex
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from warroom.bot.domain.language import ENGLISH, N_, Language
from warroom.bot.domain.port import PlaybookChoice
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DEFAULT_SEVERITY, DEFAULT_TLP, SEVERITY_NAMES

CALLBACK_ID = "warroom_open"
TITLE_LIMIT = 150
# what each severity means, said in the opener's language beside its SEV token
MEANINGS = {1: N_("critical"), 2: N_("major"), 3: N_("minor"), 4: N_("low")}
SEVERITIES = tuple(str(n) for n in SEVERITY_NAMES)
TLPS = tuple(level.label for level in Tlp)
OPTION_LIMIT = 75  # characters in an option's text
MAX_OPTIONS = 100  # options in one static_select


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


def _severity(n: int, lang: Language) -> str:
    return lang.format("SEV{n} — {meaning}", n=n, meaning=lang.gettext(MEANINGS[n]))


def _playbook_option(playbook: PlaybookChoice, lang: Language) -> dict[str, Any]:
    label = f"{lang.gettext(playbook.title)} ({playbook.name})"
    if len(label) > OPTION_LIMIT:
        label = label[: OPTION_LIMIT - 1] + "…"
    return _option(playbook.name, label)


def open_view(
    *,
    channel: str,
    orgs: Sequence[tuple[str, str]],
    lang: Language = ENGLISH,
    playbooks: Sequence[PlaybookChoice] = (),
) -> dict[str, Any]:
    """The modal in the opener's language; `orgs` are (id, name) of the organisations the
    caller may bring in, `playbooks` those it may apply. What the form submits is the same
    `open ...` in every language."""
    sev_options = [_option(v, _severity(int(v), lang)) for v in SEVERITIES]
    tlp_options = [_option(t.lower(), f"TLP:{t}") for t in TLPS]
    blocks = [
        _input(
            "title",
            lang.gettext("What is happening?"),
            {
                "type": "plain_text_input",
                "max_length": TITLE_LIMIT,
                "placeholder": {
                    "type": "plain_text",
                    "text": lang.gettext("Customer DB credentials leaked"),
                },
            },
        ),
        _input(
            "sev",
            lang.gettext("Severity"),
            {
                "type": "static_select",
                "options": sev_options,
                "initial_option": sev_options[DEFAULT_SEVERITY - 1],
            },
        ),
        _input(
            "tlp",
            lang.gettext("Traffic Light Protocol"),
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
                lang.gettext("Other organisations to bring in"),
                {"type": "multi_static_select", "options": [_option(i, n) for i, n in orgs]},
                optional=True,
            )
        )
    if playbooks:
        blocks.append(
            _input(
                "playbook",
                lang.gettext("Playbook"),
                {
                    "type": "static_select",
                    "placeholder": {"type": "plain_text", "text": lang.gettext("None")},
                    "options": [_playbook_option(p, lang) for p in playbooks[:MAX_OPTIONS]],
                },
                optional=True,
            )
        )
    blocks.append(
        _input(
            "exercise",
            lang.gettext("Drill"),
            {
                "type": "checkboxes",
                "options": [_option("yes", lang.gettext("This is an exercise"))],
            },
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": lang.gettext("Open an incident")},
        "submit": {"type": "plain_text", "text": lang.gettext("Open")},
        "close": {"type": "plain_text", "text": lang.gettext("Cancel")},
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": blocks,
    }


@dataclass(frozen=True)
class Submission:
    channel: str
    command: str = ""  # `open ...` for the core, when the input is valid
    errors: dict[str, str] | None = None  # block id -> what is wrong, shown in the modal


def read_submission(
    view: dict[str, Any],
    *,
    allowed_orgs: Sequence[str],
    lang: Language = ENGLISH,
    playbooks: Collection[str] = (),
) -> Submission:
    """The form's words as `open ...`, or what is wrong with them in the opener's language."""
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
        errors["title"] = lang.gettext("Give the incident a title.")
    elif len(title) > TITLE_LIMIT:
        errors["title"] = lang.format(
            "Keep the title within {limit} characters.", limit=TITLE_LIMIT
        )
    sev = str((element("sev").get("selected_option") or {}).get("value", str(DEFAULT_SEVERITY)))
    if sev not in SEVERITIES:
        errors["sev"] = lang.gettext("Pick a severity from 1 to 4.")
    tlp = str(
        (element("tlp").get("selected_option") or {}).get("value", DEFAULT_TLP.label)
    ).upper()
    if tlp not in TLPS:
        errors["tlp"] = lang.gettext("Pick a TLP level.")
    orgs = [str(o.get("value")) for o in element("orgs").get("selected_options") or []]
    unknown = [o for o in orgs if o not in allowed_orgs]
    if unknown:
        errors["orgs"] = lang.format("You cannot bring in {orgs}.", orgs=", ".join(unknown))
    playbook = str((element("playbook").get("selected_option") or {}).get("value") or "")
    if playbook and playbook not in playbooks:
        errors["playbook"] = lang.format("There is no playbook {name} now.", name=playbook)
    if errors:
        return Submission(channel, errors=errors)
    words = ["open", "--sev", sev, "--tlp", tlp.lower()]
    for org in orgs:
        words += ["--org", org]
    if playbook:
        words += ["--playbook", playbook]
    if element("exercise").get("selected_options"):
        words.append("--exercise")
    words += ["--", title]  # a title is never read as an option, whatever it starts with
    return Submission(channel, command=shlex.join(words))
