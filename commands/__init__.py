"""Command families: app.py builds the command table from them (bot/registry.py)."""

from warroom.commands import (
    dashboard,
    exercises,
    followup_list,
    followups,
    intel,
    lifecycle,
    people,
    playbooks,
    reviews,
    roles,
    search,
    stats,
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
    intel,
    help_command,
    reviews,
    followups,
    followup_list,
    stats,
    exercises,
    search,
    dashboard,
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
    "iocs",
    "ioc",
    "resolve",
    "close",
    "list",
    "search",
    "help",
    "review",
    "followup",
    "followups",
    "stats",
    "exercise",
    "dashboard",
)

__all__ = ["FAMILIES", "ORDER"]
