"""TLP markings as people write them in chat: normalised, marked up, spaced, misspelt."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from warroom.bot.domain.tlp import Tlp, marking_in


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("TLP:RED", Tlp.RED),
        ("TLP:AMBER+STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER", Tlp.AMBER),
        ("TLP:GREEN", Tlp.GREEN),
        ("TLP:CLEAR", Tlp.CLEAR),
        ("TLP:WHITE", Tlp.CLEAR),
        ("tlp:red", Tlp.RED),
        ("Tlp:Amber+Strict", Tlp.AMBER_STRICT),
        ("ＴＬＰ：ＲＥＤ", Tlp.RED),
        ("ＴＬＰ：ＡＭＢＥＲ＋ＳＴＲＩＣＴ", Tlp.AMBER_STRICT),
        ("T\u200bLP:RED", Tlp.RED),
        ("TLP:\u200cR\u200dED\u2060", Tlp.RED),
        ("\ufeffTLP:AM\u00adBER", Tlp.AMBER),
        ("_TLP:RED_", Tlp.RED),
        ("*TLP:AMBER+STRICT*", Tlp.AMBER_STRICT),
        ("~TLP:GREEN~", Tlp.GREEN),
        ("`TLP:RED`", Tlp.RED),
        ("**TLP:RED**", Tlp.RED),
        ("*TLP*:*RED*", Tlp.RED),
        ("TLP:_RED_", Tlp.RED),
        ("TLP: RED", Tlp.RED),
        ("TLP :RED", Tlp.RED),
        ("TLP : RED", Tlp.RED),
        ("TLP:\u00a0RED", Tlp.RED),
        ("TLP:\u2009RED", Tlp.RED),
        ("TLP:\u3000RED", Tlp.RED),
        ("TLP:\tRED", Tlp.RED),
        ("TLP:AMBER +STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER+ STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER + STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER\u00a0+\u00a0STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER-STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER_STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER\u2011STRICT", Tlp.AMBER_STRICT),
        ("_TLP:AMBER+STRICT_", Tlp.AMBER_STRICT),
        ("_TLP:AMBER_STRICT_", Tlp.AMBER_STRICT),
        ("tlp:amber-strict", Tlp.AMBER_STRICT),
        ("TLP:AMBER strict", Tlp.AMBER),
        ("TLP:AMBER *strict*", Tlp.AMBER),
        ("(TLP:GREEN)", Tlp.GREEN),
        ("[TLP:AMBER]", Tlp.AMBER),
        ("TLP:GREEN.", Tlp.GREEN),
        ("handle as TLP:AMBER, thanks", Tlp.AMBER),
        ("TLP:GREEN overall, but this part TLP:RED", Tlp.RED),
        ("TLP:AMBER+STRICT then TLP:AMBER", Tlp.AMBER_STRICT),
        ("TLP:CLEAR and TLP:GREEN", Tlp.GREEN),
    ],
)
def test_a_marking_is_read(text: str, level: Tlp) -> None:
    assert marking_in(text) is level
    assert marking_in(f"the attacker is in, {text} now") is level


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no marking here",
        "TLPX:RED",
        "ATLP:RED",
        "TLP2:RED",
        "TLP:REDDISH",
        "TLP:AMBERS",
        "TLP:GREENISH",
        "TLP:CLEARLY",
        "TLP:BLUE",
        "TLP RED",
        "TLP:",
        "TLP:\nRED",
        "RED",
        "amber",
        "red team, amber alert, green light",
        "the TLP is up to you",
    ],
)
def test_what_is_not_a_marking(text: str) -> None:
    assert marking_in(text) is None


def test_the_parse_names_are_unchanged() -> None:
    assert Tlp.parse("amber+strict") is Tlp.AMBER_STRICT
    assert Tlp.parse("TLP:WHITE") is Tlp.CLEAR
    assert [level.label for level in Tlp] == ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]


LEVELS = [
    (("CLEAR",), Tlp.CLEAR),
    (("WHITE",), Tlp.CLEAR),
    (("GREEN",), Tlp.GREEN),
    (("AMBER",), Tlp.AMBER),
    (("AMBER", "STRICT"), Tlp.AMBER_STRICT),
    (("RED",), Tlp.RED),
]
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
SPACES = " \u00a0\u2009\u202f\u3000\t"
MARKUP = "_*~`"


def fullwidth(c: str) -> str:
    return chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c


@st.composite
def written(draw: st.DrawFn, words: tuple[str, ...]) -> str:
    """One way of writing TLP:<words>: case, width, zero-width characters, spaces and markup."""
    gap = st.text(st.sampled_from(SPACES + MARKUP), max_size=3)
    parts = ["TLP", draw(gap), ":", draw(gap), words[0]]
    if len(words) > 1:
        parts += [draw(gap), draw(st.sampled_from("+-_")), draw(gap), words[1]]
    out = []
    for c in "".join(parts):
        c = draw(st.sampled_from([c.upper(), c.lower()]))
        out.append(fullwidth(c) if draw(st.booleans()) else c)
        out.append(draw(st.text(st.sampled_from(INVISIBLE), max_size=2)))
    wrap = draw(st.text(st.sampled_from(MARKUP), max_size=2))
    return f"{wrap}{''.join(out)}{wrap[::-1]}"


@given(st.sampled_from(LEVELS).flatmap(lambda lv: st.tuples(written(lv[0]), st.just(lv[1]))))
def test_any_way_of_writing_a_marking_reads_the_same_level(case: tuple[str, Tlp]) -> None:
    text, level = case
    assert marking_in(text) is level
    assert marking_in(f"see {text} below") is level


def no_tlp_letters(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return not any(c in folded for c in "tlp")


NEAR_MISSES = "REDAMBGNCSWHIredambgncswhi:+-_*~` \u00a0\u200b\uff1a\uff0b"


@given(st.text(st.sampled_from(NEAR_MISSES) | st.characters()).filter(no_tlp_letters))
@example(":RED :AMBER+STRICT ＲＥＤ")
def test_text_without_the_letters_tlp_has_no_marking(text: str) -> None:
    assert marking_in(text) is None


@given(
    st.lists(st.sampled_from(LEVELS), min_size=1, max_size=4).flatmap(
        lambda levels: st.tuples(
            st.tuples(*(written(words) for words, _ in levels)),
            st.just(max(level for _, level in levels)),
        )
    ),
    st.text(st.characters(), max_size=20).filter(no_tlp_letters),
)
def test_the_most_restrictive_of_several_markings_wins(
    case: tuple[tuple[str, ...], Tlp], noise: str
) -> None:
    markings, level = case
    assert marking_in(f" {noise} ".join(markings)) is level
