"""Declaring commands, and the table of them that app.py builds.

`@command(...)` only tags a handler with its declaration; `Registry.collect` reads the tags
of the command families it is given, in the order `help` lists them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from types import ModuleType
from typing import Any, TypeVar

from warroom.bot.grammar import Arg, Command, Flag, Permission

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
DECLARATION = "__warroom_command__"


def command(
    verb: str,
    summary: str,
    *,
    args: tuple[Arg, ...] = (),
    flags: tuple[Flag, ...] = (),
    permission: Permission = Permission.PARTICIPANT,
    needs_incident: bool = True,
    details: str = "",
) -> Callable[[F], F]:
    """Declare a command; the handler is called as `handler(ctx, **parsed_arguments)`."""

    def tag(handler: F) -> F:
        declared = Command(
            verb=verb,
            summary=summary,
            handler=handler,
            args=args,
            flags=flags,
            permission=permission,
            needs_incident=needs_incident,
            details=details,
        )
        setattr(handler, DECLARATION, declared)
        return handler

    return tag


class Registry(Mapping[str, Command]):
    """The commands by verb, in the order `help` shows them."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self._by_verb: dict[str, Command] = {}
        for found in commands:
            if found.verb in self._by_verb:
                raise ValueError(f"two commands declare the verb {found.verb!r}")
            self._by_verb[found.verb] = found

    @classmethod
    def collect(cls, families: Iterable[ModuleType], *, order: Iterable[str] = ()) -> Registry:
        declared = {
            c.verb: c
            for family in families
            for value in vars(family).values()
            if isinstance(c := getattr(value, DECLARATION, None), Command)
        }
        first = [declared.pop(verb) for verb in order if verb in declared]
        return cls([*first, *declared.values()])

    def replaced(self, verb: str, replacement: Command) -> Registry:
        """The same table with one command swapped (tests break a handler this way)."""
        return Registry(replacement if c.verb == verb else c for c in self.values())

    def __getitem__(self, verb: str) -> Command:
        return self._by_verb[verb]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_verb)

    def __len__(self) -> int:
        return len(self._by_verb)
