"""Which inputs a unit of work may handle on the event loop: short ones of few lines."""

from __future__ import annotations

from warroom.bot.operations.services import LIGHT_CHARS, LIGHT_LINES, light_input


def test_a_short_note_is_light() -> None:
    assert light_input("contained the host 10.0.0.5")


def test_a_long_text_is_not_light() -> None:
    assert light_input("x" * LIGHT_CHARS)
    assert not light_input("x" * (LIGHT_CHARS + 1))


def test_a_text_of_many_short_lines_is_not_light() -> None:
    assert light_input("x = 1\n" * (LIGHT_LINES - 1))
    assert not light_input("x = 1\n" * LIGHT_LINES)
