"""Command families: app.py builds the command table from them (bot/registry.py)."""

from warroom.commands import help as help_command
from warroom.commands import lifecycle, people, roles, timeline

FAMILIES = (lifecycle, roles, timeline, people, help_command)

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
    "resolve",
    "close",
    "list",
    "help",
)

__all__ = ["FAMILIES", "ORDER"]
