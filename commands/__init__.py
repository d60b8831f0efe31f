"""Command families: app.py builds the command table from them (bot/registry.py)."""

from warroom.commands import help as help_command
from warroom.commands import intel, lifecycle, people, playbooks, roles, tasks, timeline

FAMILIES = (lifecycle, roles, timeline, people, tasks, playbooks, intel, help_command)

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
    "help",
)

__all__ = ["FAMILIES", "ORDER"]
