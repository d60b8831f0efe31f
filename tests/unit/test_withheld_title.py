"""The one placeholder the rule allows, in the reader's language: the key and the marking
stay as typed."""

from __future__ import annotations

from warroom.bot.domain.disclosure import withheld_title
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.tlp import Tlp


def test_the_withheld_title_line_in_english_and_german() -> None:
    line = withheld_title("INC-7", Tlp.AMBER_STRICT)
    assert line.say(ENGLISH) == "INC-7 (title withheld: TLP:AMBER+STRICT)"
    assert (
        line.say(Language("de", "Europe/Berlin"))
        == "INC-7 (Titel zurückgehalten: TLP:AMBER+STRICT)"
    )


def test_the_line_names_no_title() -> None:
    line = withheld_title("INC-7", Tlp.RED)
    assert set(line.values) == {"key", "tlp"}
