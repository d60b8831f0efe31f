"""Command declarations and the parser that reads them: one grammar for every platform.

A command is declared once (verb, arguments, flags, permission, help); the parser, the help
text and the permission check are all derived from that declaration.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.language import ENGLISH, N_, Language, Phrase, Quantity, phrase
from warroom.bot.domain.shell_words import Unbalanced, shell_words
from warroom.bot.domain.text import encodable
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import OPEN_STATES, ROLES, Role, State


class CommandError(Exception):
    """A user-facing failure: the message is shown to the caller only, with the usage line,
    in the caller's language (`said`); `str()` of it is the English."""

    def __init__(self, message: str | Phrase, *, usage: str = "") -> None:
        self.phrase = message if isinstance(message, Phrase) else Phrase(message)
        super().__init__(self.phrase.say(ENGLISH))
        self.usage = usage

    def said(self, lang: Language) -> str:
        return self.phrase.say(lang)


class Permission(Enum):
    """Who may run a command; the value is its catalog description (`help` shows it)."""

    ANYONE = N_("anyone")
    PARTICIPANT = N_("participant of the incident")
    LEAD = N_("incident commander or deputy")

    def said(self, lang: Language) -> str:
        return lang.gettext(self.value)


@dataclass(frozen=True)
class Arg:
    name: str
    kind: str = "word"  # word | text | user | role | sev | tlp | target
    help: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Flag:
    name: str
    kind: str = "word"  # word | int | sev | tlp | state | org | key | bool
    help: str = ""
    metavar: str = ""
    repeat: bool = False


ID_FLAG = Flag("id", "key", "incident key, when not typed in its war room", "INC-N")


@dataclass(frozen=True)
class Command:
    verb: str
    summary: str
    handler: Callable[..., Awaitable[Any]]
    args: tuple[Arg, ...] = ()
    flags: tuple[Flag, ...] = ()
    permission: Permission = Permission.PARTICIPANT
    needs_incident: bool = True
    details: str = ""

    @property
    def all_flags(self) -> tuple[Flag, ...]:
        return (*self.flags, ID_FLAG) if self.needs_incident else self.flags

    def usage(self) -> str:
        parts = [self.verb]
        for arg in self.args:
            name = arg.name.upper() if arg.kind != "user" else "@user"
            parts.append(f"[{name}]" if arg.optional else name)
        for flag in self.all_flags:
            if flag.kind == "bool":
                parts.append(f"[--{flag.name}]")
            else:
                shown = f"[--{flag.name} {flag.metavar or flag.name.upper()}]"
                parts.append(shown + ("..." if flag.repeat else ""))
        return " ".join(parts)


UserParser = Callable[[str], UserRef | None]
_KEY = re.compile(r"^INC-([0-9]+)$", re.IGNORECASE)
MAX_NUMBER = 2**31 - 1  # the largest number a PostgreSQL integer column holds
_STATES_FOR_UPDATE = (*OPEN_STATES, State.RESOLVED)
_MOST = Quantity(MAX_NUMBER)


def tokenize(text: str) -> list[str]:
    """Shell-like words; an unpaired apostrophe (`the attacker's IP`) is taken literally."""
    try:
        return shell_words(text)
    except Unbalanced:
        return text.split()


def parse(command: Command, tokens: list[str], parse_user: UserParser) -> dict[str, Any]:
    """Turn the words after the verb into keyword arguments for the handler."""
    if not all(encodable(token) for token in tokens):
        raise CommandError(
            phrase("the command is not valid text (invalid UTF-8 or a lone surrogate)"),
            usage=command.usage(),
        )
    flags = {f.name: f for f in command.all_flags}
    values: dict[str, Any] = {f.name: ([] if f.repeat else None) for f in command.all_flags}
    positional: list[str] = []
    i = 0
    only_positional = False
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--" and not only_positional:
            only_positional = True
            continue
        if only_positional or not token.startswith("--") or len(token) == 2:
            positional.append(token)
            continue
        name, eq, inline = token[2:].partition("=")
        flag = flags.get(name)
        if flag is None:
            raise CommandError(phrase("unknown option --{name}", name=name), usage=command.usage())
        if flag.kind == "bool":
            values[name] = True
            continue
        if eq:
            raw = inline
        elif i < len(tokens):
            raw, i = tokens[i], i + 1
        else:
            raise CommandError(phrase("--{name} needs a value", name=name), usage=command.usage())
        value = convert(flag.kind, raw, f"--{name}", parse_user)
        if flag.repeat:
            values[name].append(value)
        elif values[name] is not None:
            raise CommandError(phrase("--{name} given twice", name=name), usage=command.usage())
        else:
            values[name] = value
    for flag in command.all_flags:
        if flag.kind == "bool" and values[flag.name] is None:
            values[flag.name] = False
    _bind_positional(command, positional, values, parse_user)
    return values


def _bind_positional(
    command: Command, words: list[str], values: dict[str, Any], parse_user: UserParser
) -> None:
    rest = list(words)
    for arg in command.args:
        if arg.kind == "text":
            text = " ".join(rest).strip()
            rest = []
            if not text and not arg.optional:
                raise CommandError(
                    phrase("{what} is missing", what=arg.name.upper()), usage=command.usage()
                )
            values[arg.name] = text or None
            continue
        if not rest:
            if not arg.optional:
                shown = "@user" if arg.kind == "user" else arg.name.upper()
                raise CommandError(phrase("{what} is missing", what=shown), usage=command.usage())
            values[arg.name] = None
            continue
        values[arg.name] = convert(arg.kind, rest.pop(0), arg.name.upper(), parse_user)
    if rest:
        raise CommandError(
            phrase("unexpected {words!r}", words=" ".join(rest)), usage=command.usage()
        )


def convert(kind: str, raw: str, what: str, parse_user: UserParser) -> Any:
    """Check and convert one value; a CommandError names what was wrong with it."""
    if kind == "sev":
        digits = raw.upper().removeprefix("SEV")  # ASCII 1-4 only, like every number
        if digits not in ("1", "2", "3", "4"):
            raise CommandError(
                phrase("{what} must be 1 to 4 (1 is the worst), not {raw!r}", what=what, raw=raw)
            )
        return int(digits)
    if kind == "tlp":
        try:
            return Tlp.parse(raw)
        except ValueError:
            raise CommandError(
                phrase(
                    "{what}: unknown TLP level {raw!r}: use clear, green, amber, amber+strict "
                    "or red",
                    what=what,
                    raw=raw,
                )
            ) from None
    if kind == "state":
        if raw.lower() not in _STATES_FOR_UPDATE:
            raise CommandError(
                phrase(
                    "{what} must be one of {states}",
                    what=what,
                    states=", ".join(_STATES_FOR_UPDATE),
                )
            )
        return State(raw.lower())
    if kind == "role":
        if raw.lower() not in ROLES:
            raise CommandError(
                phrase(
                    "{what} must be one of {roles}, not {raw!r}",
                    what=what,
                    roles=", ".join(ROLES),
                    raw=raw,
                )
            )
        return Role(raw.lower())
    if kind == "int":
        number = _number(raw)
        if number is None:
            raise CommandError(
                phrase(
                    "{what} must be a positive whole number (at most {most}), not {raw!r}",
                    what=what,
                    most=_MOST,
                    raw=raw,
                )
            )
        return number
    if kind == "key":
        match = _KEY.match(raw)
        number = _number(match.group(1)) if match else None
        if number is None:
            raise CommandError(
                phrase(
                    "{what} must be an incident key like INC-7, not {raw!r}", what=what, raw=raw
                )
            )
        return f"INC-{number}"
    if kind == "user":
        user = parse_user(raw)
        if user is None:
            raise CommandError(
                phrase("{what} must be a person like @name, not {raw!r}", what=what, raw=raw)
            )
        return user
    if kind == "target":
        return parse_user(raw) or raw.lower()
    return raw


def _number(raw: str) -> int | None:
    """`raw` as a number from 1 to MAX_NUMBER in ASCII digits (`５` and `٨` are not), or None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_NUMBER)):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_NUMBER else None


def duration_argument(lang: Language, raw: str, usage: str) -> timedelta:
    """A duration a person typed (`45s`, `30m`, `4h`, `1d`), or a one-line refusal."""
    from warroom.bot.config import parse_duration

    try:
        return parse_duration(raw)
    except (ValueError, OverflowError):
        raise CommandError(
            lang.format("{raw!r} is not a duration like 45s, 30m, 4h or 1d", raw=raw),
            usage=usage,
        ) from None


def leading_number(rest: str) -> tuple[str, int | None, str]:
    """The first word of `rest`, the item number it is (None if it is none: not plain
    ASCII digits, or outside 1..MAX_NUMBER) and the words after it."""
    first, _, words = rest.strip().partition(" ")
    valid = first.isascii() and first.isdigit() and 1 <= int(first[:11]) <= MAX_NUMBER
    return first, int(first) if valid else None, words.strip()
