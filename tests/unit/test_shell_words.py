"""The command tokenizer makes the words shlex.split makes, and fails where it fails."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.bot.domain.shell_words import Unbalanced, shell_words

# what shlex treats specially, and what it does not (other spaces, a comment sign)
ALPHABET = st.sampled_from([*"ab '\"\\\t\n\r#é\x0b\u00a0\u2003-=", "INC-7", "--sev"])


def shlex_words(text: str) -> list[str] | None:
    try:
        return shlex.split(text)
    except ValueError:
        return None


@settings(max_examples=3000)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_the_same_words_as_shlex(text: str) -> None:
    expected = shlex_words(text)
    if expected is None:
        with pytest.raises(Unbalanced):
            shell_words(text)
    else:
        assert shell_words(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('note "blocked 1.2.3.4" --tlp red', ["note", "blocked 1.2.3.4", "--tlp", "red"]),
        ("say 'it''s' here", ["say", "its", "here"]),
        (r'a "b\"c\\d\n" e\ f', ["a", 'b"c\\d\\n', "e f"]),
        ("empty '' \"\"", ["empty", "", ""]),
        ("tab\tand\u00a0nbsp", ["tab", "and\u00a0nbsp"]),
    ],
)
def test_quotes_escapes_and_spaces(text: str, words: list[str]) -> None:
    assert shell_words(text) == words == shlex.split(text)


@pytest.mark.parametrize("text", ['note "never closed', "the attacker's IP", "ends in \\"])
def test_what_shlex_refuses_is_refused(text: str) -> None:
    with pytest.raises(Unbalanced):
        shell_words(text)
