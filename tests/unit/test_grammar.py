from __future__ import annotations

import pytest

from warroom.bot.app import command_registry
from warroom.bot.domain.events import UserRef, command_text
from warroom.bot.domain.tlp import Tlp
from warroom.bot.grammar import CommandError, parse, tokenize

REGISTRY = command_registry()


def parse_user(token: str) -> UserRef | None:
    return UserRef("t", "w", token[1:], token[1:]) if token.startswith("@") else None


def args(line: str) -> dict:
    words = tokenize(line)
    return parse(REGISTRY[words[0]], words[1:], parse_user)


def test_quotes_group_words_and_flags_take_values() -> None:
    got = args('open "Customer DB leaked" --sev 1 --tlp amber+strict --org cert --org cloud')
    assert got == {
        "title": "Customer DB leaked",
        "sev": 1,
        "tlp": Tlp.AMBER_STRICT,
        "org": ["cert", "cloud"],
        "exercise": False,
        "playbook": None,
    }


def test_equals_form_and_sev_prefix() -> None:
    assert args("open x --sev=SEV2 --exercise")["sev"] == 2
    assert args("open x --exercise")["exercise"] is True


def test_text_keeps_all_words_and_an_apostrophe_is_literal() -> None:
    assert args("note the attacker's IP is 203.0.113.9")["text"] == (
        "the attacker's IP is 203.0.113.9"
    )


def test_double_dash_ends_options() -> None:
    assert args("note -- --sev is not an option here")["text"] == "--sev is not an option here"


def test_incident_id_is_normalised() -> None:
    assert args("note hi --id inc-007")["id"] == "INC-7"


def test_invite_tells_people_from_organisations() -> None:
    assert args("invite @bob")["who"] == UserRef("t", "w", "bob")
    assert args("invite CERT")["who"] == "cert"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("open", "TITLE is missing"),
        ("open x --sev 0", "--sev must be 1 to 4"),
        ("open x --tlp purple", "unknown TLP level"),
        ("open x --nope 1", "unknown option --nope"),
        ("role chef @bob", "ROLE must be one of"),
        ("role scribe bob", "USER must be a person"),
        ("timeline --last -3", "--last must be a positive whole number"),
        ("roles now", "unexpected 'now'"),
    ],
)
def test_mistakes_name_the_problem(line: str, message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        args(line)


def test_usage_lines_read_like_the_design() -> None:
    assert REGISTRY["open"].usage() == (
        "open TITLE [--sev 1-4] [--tlp LEVEL] [--org ORG]... [--exercise] [--playbook NAME]"
    )
    assert REGISTRY["role"].usage() == "role ROLE @user [--id INC-N]"


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("/incident open x", "open x"),
        ("!incident note y", "note y"),
        ("!inc roles", "roles"),
        ("  !inc  ", ""),
        ("!incidental", None),
        ("hello", None),
    ],
)
def test_command_words(line: str, text: str | None) -> None:
    assert command_text(line) == text


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("timeline --last 99999999999999999999999999", "--last"),
        ("timeline --last 2147483648", "--last"),
        ("timeline --last ５", "--last"),
        ("timeline --last ٣", "--last"),
        ("note hi --id INC-１", "--id"),
        ("note hi --id INC-99999999999999999999", "--id"),
        ("open x --sev １", "--sev"),
        ("sev ١", "LEVEL"),
    ],
)
def test_numbers_are_ascii_digits_in_range_for_every_flag(line: str, what: str) -> None:
    with pytest.raises(CommandError, match=f"^{what} must be"):
        args(line)


def test_the_largest_number_is_still_a_number() -> None:
    assert args("timeline --last 2147483647")["last"] == 2**31 - 1


@pytest.mark.parametrize("line", ["note a lone \ud800 surrogate", "open \udcff --sev 1"])
def test_text_that_is_not_valid_unicode_is_refused_with_usage(line: str) -> None:
    with pytest.raises(CommandError, match="not valid text") as refused:
        args(line)
    assert refused.value.usage
