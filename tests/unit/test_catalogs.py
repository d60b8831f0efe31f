"""The catalogs hold every text the bot says: extracted from the code here, as `pybabel extract`
does (README: "Languages"), then checked against the template, each language's catalog and the
compiled catalogs the package ships."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations

from warroom.bot.domain.language import CATALOGS, DOMAIN, LOCALES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "adapters", "commands")
# as README's `pybabel extract`: declarations are marked by what declares them
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "phrase": None,
    "format": None,
    "command": (2,),
    "Arg": (3,),
    "Flag": (3,),
    "NP_": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")
TRANSLATED = [locale for locale in LOCALES if locale != "en"]

Message = str | tuple[str, ...]


@cache
def extracted() -> dict[Message, str]:
    """Every marked text in the code, with where it was found first."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found: dict[Message, str] = {}
    for folder in SOURCES:
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=KEYWORDS
        ):
            found.setdefault(message, f"{folder}/{filename}:{line}")
    return found


def catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def po(locale: str) -> Catalog:
    return catalog(CATALOGS / locale / "LC_MESSAGES" / f"{DOMAIN}.po")


def ids(message: Message) -> str:
    return message if isinstance(message, str) else message[0]


def test_the_code_marks_texts() -> None:
    assert len(extracted()) > 100, "the bot's texts are marked for translation"


def test_the_readme_extracts_as_this_test_does() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"pybabel extract (.+?) bot adapters commands", readme, re.S)
    assert command, "README: Languages documents `pybabel extract`"
    options = command.group(1).split()
    marks = {options[i + 1].split(":")[0] for i, o in enumerate(options) if o == "-k"}
    assert marks == set(KEYWORDS) - set(DEFAULT_KEYWORDS)
    assert {"--no-wrap", "--no-location", "--sort-output"} <= set(options)


def test_the_template_is_current() -> None:
    template = {m.id for m in catalog(CATALOGS / f"{DOMAIN}.pot") if m.id}
    wanted = set(extracted())
    missing = sorted(map(ids, wanted - template))
    stale = sorted(map(ids, template - wanted))
    assert not missing and not stale, (
        "bot/locale/warroom.pot is out of date: run `pybabel extract` (README: Languages)\n"
        f"missing: {missing[:10]}\nstale: {stale[:10]}"
    )


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_text_is_translated(locale: str) -> None:
    translations = {m.id: m for m in po(locale) if m.id}
    untranslated = []
    for message, where in extracted().items():
        entry = translations.get(message)
        strings = entry.string if entry is not None else ""
        forms = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(forms):
            untranslated.append(f"{where}: {ids(message)!r}")
    assert not untranslated, f"{locale} lacks {len(untranslated)}: " + "\n".join(untranslated)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders(locale: str) -> None:
    wrong = []
    for entry in po(locale):
        if not entry.id:
            continue
        originals = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        wanted = set().union(*(PLACEHOLDER.findall(o) for o in originals))
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) - wanted:
                wrong.append(f"{ids(entry.id)!r} -> {string!r}")
    assert not wrong, "placeholders a translation invents:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_shipped_catalog_is_compiled_from_the_po_file(locale: str) -> None:
    shipped = Translations.load(str(CATALOGS), [locale], DOMAIN)
    for entry in po(locale):
        if not entry.id or entry.fuzzy:
            continue
        if isinstance(entry.id, tuple):
            got = tuple(shipped.ungettext(entry.id[0], entry.id[1], n) for n in (1, 2))
            wanted = (entry.string[0], entry.string[-1])
        elif entry.context:
            got, wanted = shipped.upgettext(entry.context, entry.id), entry.string
        else:
            got, wanted = shipped.ugettext(entry.id), entry.string
        assert got == wanted, f"run `pybabel compile` (README: Languages): {entry.id!r}"
