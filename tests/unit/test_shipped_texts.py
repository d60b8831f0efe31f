"""Every text the shipped playbooks and exercises make the bot say is in the catalogs and
translated: read here by the loaders the bot uses, not by the extractor under test."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest

from tests.unit.test_catalogs import TRANSLATED, catalog, po
from warroom.bot.domain.language import CATALOGS, DOMAIN, Language
from warroom.bot.domain.shipped_texts import extract_toml
from warroom.bot.operations import playbooks, scenarios


def shipped_texts() -> Iterator[tuple[str, str]]:
    """(file, text) for each text a shipped playbook or exercise has the bot say."""
    for path in sorted(playbooks.SHIPPED.glob("*.toml")):
        playbook = playbooks.read_playbook(path)
        for text in (playbook.title, playbook.description, *(s.text for s in playbook.steps)):
            yield path.name, text
    for path in sorted(scenarios.SHIPPED.glob("*.toml")):
        scenario = scenarios.read_scenario(path)
        yield from (
            (path.name, text)
            for text in (
                scenario.title,
                scenario.summary,
                *scenario.objectives,
                *scenario.questions,
                *(i.text for i in scenario.injects),
                *(e.text for e in scenario.expectations),
            )
        )


def test_the_template_holds_every_shipped_text() -> None:
    template = {m.id for m in catalog(CATALOGS / f"{DOMAIN}.pot") if m.id}
    missing = [f"{file}: {text!r}" for file, text in shipped_texts() if text not in template]
    assert not missing, "run `pybabel extract` (README: Languages):\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_shipped_text_is_translated(locale: str) -> None:
    translations = {m.id: m.string for m in po(locale) if m.id and not m.fuzzy}
    lacking = [f"{file}: {text!r}" for file, text in shipped_texts() if not translations.get(text)]
    assert not lacking, f"{locale} lacks:\n" + "\n".join(lacking)


def test_a_playbook_of_the_operators_own_is_shown_as_written() -> None:
    assert Language("de").gettext("Call the on-call DBA") == "Call the on-call DBA"


def test_the_extractor_takes_what_is_said_and_leaves_what_is_matched() -> None:
    toml = b"""title = "A drill"
parts = ["victim"]
[[injects]]
id = "first"
text = "Something happens"
[[expectations]]
id = "noticed"
text = "Someone notices"
task = "Isolate affected hosts"
said = "(?i)block"
"""
    said = [text for _, _, text, _ in extract_toml(BytesIO(toml), {}, (), {})]
    assert said == ["A drill", "Something happens", "Someone notices"]
