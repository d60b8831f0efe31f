"""Command families. Importing this package registers every command in REGISTRY."""

from warroom.bot.registry import REGISTRY, command
from warroom.commands import help as help_command
from warroom.commands import lifecycle, people, roles, timeline

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
REGISTRY.update({verb: REGISTRY.pop(verb) for verb in ORDER if verb in REGISTRY})

__all__ = ["REGISTRY", "command", "help_command", "lifecycle", "people", "roles", "timeline"]
