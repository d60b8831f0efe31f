"""The playbooks as a form offers them (Slack's open modal), through the port's ability."""

from __future__ import annotations

import logging

from warroom.bot.config import Config
from warroom.bot.domain.port import PlaybookChoice
from warroom.bot.operations.playbooks import PlaybookError, load

log = logging.getLogger(__name__)


def choices(config: Config) -> list[PlaybookChoice]:
    """Every playbook by name; none while a file has an error (`open --playbook` names it,
    and the form still opens)."""
    try:
        found = load(config)
    except PlaybookError as exc:
        log.warning("the open form offers no playbooks: %s", exc)
        return []
    return [PlaybookChoice(p.name, p.title) for p in found.values()]
