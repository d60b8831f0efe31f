"""Command families: app.py builds the command table from them (bot/registry.py)."""

from warroom.commands import help as help_command
from warroom.commands import lifecycle, people, playbooks, roles, search, tasks, timeline

FAMILIES = (lifecycle, roles, timeline, people, tasks, playbooks, search, help_command)

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
    "search",
    "help",
)

__all__ = ["FAMILIES", "ORDER"]
