"""Each organisation's language and time zone: config, times with the zone named, durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.bot.config import ConfigError, parse_config
from warroom.bot.domain.language import Language, phrase

EVENING = datetime(2026, 11, 20, 18, 32, tzinfo=UTC)
SUMMER = datetime(2026, 7, 20, 17, 32, tzinfo=UTC)
GERMAN = Language("de", "Europe/Berlin")
ENGLISH_BERLIN = Language("en", "Europe/Berlin")


def test_times_are_local_with_the_zone_named() -> None:
    assert GERMAN.time(EVENING) == "19:32 MEZ"
    assert ENGLISH_BERLIN.time(EVENING) == "19:32 CET"
    assert GERMAN.time(SUMMER) == "19:32 MESZ"
    assert ENGLISH_BERLIN.time(SUMMER) == "19:32 CEST"
    assert Language().time(EVENING) == "18:32 UTC"
    assert Language("en", "America/New_York").time(EVENING) == "13:32 EST"


def test_a_naive_time_is_read_as_utc() -> None:
    assert GERMAN.time(EVENING.replace(tzinfo=None)) == "19:32 MEZ"


def test_moments_carry_the_date_in_the_readers_way() -> None:
    assert GERMAN.moment(EVENING) == "20. Nov. 2026, 19:32 MEZ"
    assert ENGLISH_BERLIN.moment(EVENING) == "Nov 20, 2026, 19:32 CET"
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert GERMAN.moment(late).startswith("21. Nov. 2026, 00:30")  # the next day in Berlin


def test_durations_in_words() -> None:
    assert GERMAN.duration(timedelta(hours=2)) == "2 Stunden"
    assert Language().duration(timedelta(hours=2)) == "2 hours"
    assert GERMAN.exact_duration(5400) == "1 Stunde 30 Minuten"
    assert Language().exact_duration(timedelta(days=1, seconds=5)) == "1 day 5 seconds"
    assert Language().exact_duration(0) == "0 seconds"


def test_a_phrase_is_said_in_the_readers_language_and_zone() -> None:
    said = phrase("{key} was opened at {at}", key="INC-1", at=EVENING)
    assert said.say(Language()) == "INC-1 was opened at Nov 20, 2026, 18:32 UTC"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"orgs": [{"id": "acme", "locale": "fr"}]}, "orgs[0].locale"),
        ({"orgs": [{"id": "acme", "locale": "DE"}]}, "orgs[0].locale"),
        ({"orgs": [{"id": "acme", "timezone": "Mars/Olympus"}]}, "orgs[0].timezone"),
        ({"orgs": [{"id": "acme", "timezone": "../etc/passwd"}]}, "orgs[0].timezone"),
        ({"orgs": [{"id": "acme", "timezone": ""}]}, "orgs[0].timezone"),
        ({"orgs": [{"id": "acme", "timezone": 1}]}, "orgs[0].timezone"),
        ({"console": {"locale": "xx"}}, "console.locale"),
        ({"console": {"timezone": "Europe/Nowhere"}}, "console.timezone"),
    ],
)
def test_a_bad_language_or_zone_stops_start_up_naming_the_key(
    table: dict[str, object], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(table)
    assert caught.value.key == key


def test_each_org_speaks_its_own_language() -> None:
    config = parse_config(
        {
            "orgs": [
                {"id": "acme", "locale": "de", "timezone": "Europe/Berlin"},
                {"id": "cert"},
            ],
            "console": {"locale": "de"},
        }
    )
    assert config.language("acme") == GERMAN
    assert config.language("cert") == Language("en", "UTC")
    assert config.language("local") == Language("de", "UTC")  # a console session's own


def test_amounts_are_grouped_the_readers_way() -> None:
    from warroom.bot.domain.language import Quantity

    said = phrase("the limit is {limit}", limit=Quantity(40_000))
    assert said.say(Language()) == "the limit is 40,000"
    assert GERMAN.format("{n} of {limit}", n=3, limit=Quantity(40_000)) == "3 of 40.000"


@pytest.mark.parametrize("locale,zone", [("en", "UTC"), ("de", "Europe/Berlin")])
def test_moments_say_each_time_as_moment_does(locale: str, zone: str) -> None:
    lang = Language(locale, zone)
    say = lang.moments()
    start = datetime(2026, 3, 28, 22, 59, tzinfo=UTC)  # across a day and a DST change
    for minutes in range(0, 3 * 24 * 60, 97):
        at = start + timedelta(minutes=minutes)
        assert say(at) == lang.moment(at)
