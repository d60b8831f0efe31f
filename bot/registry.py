"""The table of declared commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from warroom.bot.grammar import Arg, Command, Flag, Permission

REGISTRY: dict[str, Command] = {}
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


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

    def register(handler: F) -> F:
        REGISTRY[verb] = Command(
            verb=verb,
            summary=summary,
            handler=handler,
            args=args,
            flags=flags,
            permission=permission,
            needs_incident=needs_incident,
            details=details,
        )
        return handler

    return register
