"""Command families: app.py builds the command table from them (bot/registry.py)."""

from warroom.commands import (
    exercises,
    followups,
    lifecycle,
    people,
    playbooks,
    reviews,
    roles,
    tasks,
    timeline,
)
from warroom.commands import help as help_command

FAMILIES = (
    lifecycle,
    roles,
    timeline,
    people,
    tasks,
    playbooks,
    help_command,
    reviews,
    followups,
    exercises,
)

# The order `help` lists them in: the order of an incident's life.
ORDER = (
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
    "task",
    "tasks",
    "playbook",
    "playbooks",
    "resolve",
    "close",
    "list",
    "help",
    "review",
    "followup",
    "followups",
    "exercise",
)

__all__ = ["FAMILIES", "ORDER"]
