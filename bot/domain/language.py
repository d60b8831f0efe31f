"""What the bot says, in the reader's language and time zone.

Texts are gettext messages: marked in the code (`lang.gettext("...")`, `lang.ngettext(...)`, or
`N_("...")` where a text is declared before anyone reads it), extracted and compiled with Babel
into the catalogs in `bot/locale/`, and translated for the organisation that reads them. Dates,
times and durations come from Babel's CLDR data. What people say is never translated; command
verbs and flags stay as they are in every language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

DOMAIN = "warroom"
CATALOGS = Path(__file__).resolve().parent.parent / "locale"
LOCALES = ("en", "de")  # English is the source language; every other one has a catalog
DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "UTC"
Unit = Literal["day", "hour", "minute", "second"]


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is declared; it is translated where it is shown."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """Marks a text with its context (a word that reads differently elsewhere, like `note`)."""
    return context, message


@dataclass(frozen=True)
class Phrase:
    """A text to be said later, in a language not known yet: a catalog message and its values.

    Values that are phrases themselves are translated too; datetimes are shown as times.
    """

    message: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def say(self, lang: Language) -> str:
        return lang.format(self.message, **self.values)

    def to_json(self) -> str:
        """Stable JSON (a timeline entry keeps its phrase, and the hash chain covers it)."""
        return json.dumps(
            _encoded(self), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )

    @classmethod
    def from_json(cls, text: str) -> Phrase:
        decoded = _decoded(json.loads(text))
        if not isinstance(decoded, Phrase):
            raise ValueError("not a stored phrase")
        return decoded


def _encoded(value: Any) -> Any:
    if isinstance(value, Phrase):
        values = {k: _encoded(v) for k, v in value.values.items()}
        return {"phrase": value.message, "values": values}
    if isinstance(value, datetime):
        return {"at": value.isoformat(timespec="microseconds")}
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # an enum or a key: said as it reads


def _decoded(value: Any) -> Any:
    if isinstance(value, dict) and "phrase" in value:
        return Phrase(str(value["phrase"]), {k: _decoded(v) for k, v in value["values"].items()})
    if isinstance(value, dict) and "at" in value:
        return datetime.fromisoformat(value["at"])
    return value


class Quantity(int):
    """A number people read as an amount: written with the reader's digit grouping (40,000 in
    English, 40.000 in German). Plain ints (task and entry numbers) are written as they are."""


def phrase(message: str, **values: Any) -> Phrase:
    return Phrase(message, values)


@dataclass(frozen=True)
class Language:
    """One reader's language and time zone: the catalog and the CLDR data to speak it."""

    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def gettext(self, message: str) -> str:
        return _catalog(self.locale).ugettext(message)

    def pgettext(self, context: str, message: str) -> str:
        return _catalog(self.locale).upgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalog(self.locale).ungettext(singular, plural, n)

    def format(self, message: str, **values: Any) -> str:
        """The catalog's `message` with `{name}` placeholders filled in this language. With no
        values nothing is filled in (a text may hold braces then)."""
        translated = self.gettext(message)
        if not values:
            return translated
        return translated.format(**{k: self.value(v) for k, v in values.items()})

    def value(self, value: Any) -> Any:
        if isinstance(value, Phrase):
            return value.say(self)
        if isinstance(value, Quantity):
            return format_decimal(int(value), locale=self.locale)
        if isinstance(value, datetime):
            return self.moment(value)
        return value

    # times: stored as UTC, read in the reader's zone with the zone named

    def local(self, at: datetime) -> datetime:
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(self.zone)

    def time(self, at: datetime) -> str:
        """`19:32 MEZ` in German, `19:32 CET` in English."""
        local = self.local(at)
        return f"{format_time(local, 'HH:mm', locale=self.locale)} {self.zone_name(local)}"

    def date(self, at: datetime) -> str:
        return format_date(self.local(at), "medium", locale=self.locale)

    def moment(self, at: datetime) -> str:
        """A date and a time: `20.11.2026, 19:32 MEZ`, `Nov 20, 2026, 19:32 CET`. The day
        and the zone's name are formatted once each (a long list holds many moments)."""
        local = self.local(at)
        day = _day(self.locale, local.date())
        return f"{day}, {local.hour:02d}:{local.minute:02d} {self.zone_name(local)}"

    def moments(self) -> Callable[[datetime], str]:
        """`moment` for many times at once (a page of a timeline); `moment` itself formats
        each day and each zone's name once, so this is `moment`."""
        return self.moment

    def zone_name(self, local: datetime) -> str:
        """CLDR's short name where the language has one (MEZ); else the zone's abbreviation."""
        key = (self.locale, self.timezone, local.utcoffset(), local.tzname())
        name = _ZONE_NAMES.get(key)
        if name is None:
            name = format_datetime(local, "z", locale=self.locale)
            if name.startswith(("GMT", "UTC+", "UTC-", "+", "-")):
                name = local.tzname() or name
            _ZONE_NAMES[key] = name  # a zone's name changes with its offset only
        return name

    # durations

    def duration(self, delta: timedelta | float) -> str:
        """`2 hours` / `2 Stunden`, rounded as people say it."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        return format_timedelta(
            timedelta(seconds=seconds), threshold=1.0, format="long", locale=self.locale
        )

    def exact_duration(self, delta: timedelta | float) -> str:
        """`1 hour 30 minutes`: metrics and cadences, where rounding would mislead."""
        seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
        parts: list[str] = []
        units: tuple[tuple[Unit, int], ...] = (
            ("day", 86400),
            ("hour", 3600),
            ("minute", 60),
            ("second", 1),
        )
        for unit, size in units:
            count, seconds = divmod(seconds, size)
            if count:
                parts.append(
                    format_timedelta(
                        timedelta(seconds=count * size),
                        granularity=unit,
                        threshold=1e9,
                        format="long",
                        locale=self.locale,
                    )
                )
        return " ".join(parts) or self.duration(0)


@lru_cache(maxsize=4096)
def _day(locale: str, day: date) -> str:
    """`Nov 20, 2026` / `20.11.2026`."""
    pattern = str(Locale.parse(locale).datetime_skeletons["yMMMd"])
    return format_date(day, pattern, locale=locale)


_ZONE_NAMES: dict[tuple[str, str, timedelta | None, str | None], str] = {}


@cache
def _catalog(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(CATALOGS), [locale], DOMAIN)


def language(locale: str = DEFAULT_LOCALE, timezone: str = DEFAULT_TIMEZONE) -> Language:
    return Language(locale, timezone)


ENGLISH = Language()


def locale_problem(locale: str) -> str | None:
    """Why `locale` cannot be spoken, or None."""
    if locale not in LOCALES:
        return f"{locale!r} is not one of {', '.join(LOCALES)}"
    return None


def timezone_problem(timezone: str) -> str | None:
    """Why `timezone` is not an IANA time zone name, or None."""
    if not timezone or not timezone.isascii() or timezone.startswith(("/", ".")):
        return f"{timezone!r} is not an IANA time zone name like Europe/Berlin"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f"{timezone!r} is not an IANA time zone name like Europe/Berlin"
    return None
