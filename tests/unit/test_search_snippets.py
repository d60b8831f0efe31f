"""What a search result shows of the text that matched: one line around the first match."""

from __future__ import annotations

from warroom.bot.operations.search import SNIPPET_CHARS, marked
from warroom.storage.search import words_of


def test_matches_are_marked_as_whole_words_whatever_their_case() -> None:
    said = marked(
        "We rotated the key; ROTATED again on 10.0.0.1, not rotatedly", ["rotated", "10.0.0.1"]
    )
    assert said == "We *rotated* the key; *ROTATED* again on *10.0.0.1*, not rotatedly"
    assert marked("we rotated it", ['"rotated",']) == "we *rotated* it"


def test_a_long_text_is_cut_to_one_line_around_its_first_match() -> None:
    text = "filler words " * 30 + "the beacon\nreached the sinkhole " + "more words " * 30
    said = marked(text, ["sinkhole"])
    assert "*sinkhole*" in said and "\n" not in said
    assert said.startswith("…") and said.endswith("…")
    assert len(said) <= SNIPPET_CHARS + 2
    assert " ".join(said.strip("…").split()) == said.strip("…")  # cut between words


def test_query_words_are_those_with_a_letter_or_digit() -> None:
    assert words_of('  "rotated"   ?! ... 10.0.0.1 keys ') == ['"rotated"', "10.0.0.1", "keys"]
    assert words_of("?! ...") == []
