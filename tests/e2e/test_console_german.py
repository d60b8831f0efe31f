"""A German console session end to end: the bot answers, errs and helps in German, and none of
the English of its answers is left (what people typed stays as typed)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.support import Translations

from tests.e2e.test_console_cli import warroom
from tests.unit.test_catalogs import KEYWORDS
from warroom.bot.domain.language import CATALOGS, DOMAIN
from warroom.bot.domain.shipped_texts import extract_toml

ROOT = Path(__file__).resolve().parents[2]
# the command framework and the commands: what the check's own test knows
ANSWERING = (
    "bot/grammar.py",
    "bot/context.py",
    "bot/core.py",
    "commands",
    "bot/operations/tasks.py",
    "bot/domain/tasks.py",
)
WHOLE_BOT = ("bot", "adapters", "commands")  # every text the bot says: what no answer may hold
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
SESSION = """\
/incident open "Kundendaten abgeflossen" --sev 2
/incident note Schlüssel rotiert
/incident role scribe @bob
/incident update "Angreifer blockiert" --state contained
/incident resolve "Zugänge gesperrt"
/incident help
/incident help update
/incident frobnicate
/incident sev 7
/incident update weiter --bogus 1
:as carol
/incident sev 1
"""
PLAYBOOK_SESSION = """\
/incident open "Dateiserver verschlüsselt" --sev 1 --playbook ransomware
/incident note Netz getrennt
/incident tasks
/incident timeline
/incident playbooks
/incident exercise list
"""


def test_a_german_session_is_answered_in_german(tmp_path: Path) -> None:
    answers = bot_answers(session(tmp_path))
    said = "\n".join(answers)
    for german in (
        "INC-1 eröffnet: Kundendaten abgeflossen",
        "Sie sind der Commander. War Room: inc-1-kundendaten-abgeflossen",
        "📝 alice hat notiert (#3): Schlüssel rotiert",
        "bob ist jetzt scribe von INC-1",
        "INC-1: Lagemeldung von alice",
        "warroom-Befehle",
        "eine Lagemeldung posten (setzt die Erinnerung zurück)",
        "--state: in einen neuen Status wechseln",
        "Wer darf es ausführen: Beteiligte des Incidents.",
        "⚠ unbekannter Befehl 'frobnicate'",
        "⚠ LEVEL muss 1 bis 4 sein (1 ist der schwerste), nicht '7'",
        "Aufruf: sev LEVEL [--id INC-N]",
        "⚠ unbekannte Option --bogus",
        "⚠ nicht erlaubt: nur der Commander oder die Stellvertretung von INC-1 darf sev",
    ):
        assert german in said, f"{german!r} not in:\n{said}"
    # typed as they are in every language: verbs, flags, states, roles
    assert "update TEXT [--state STATE] [--id INC-N]" in said
    assert "contained" in said


def test_no_english_is_left_in_the_answers(tmp_path: Path) -> None:
    answers = bot_answers(session(tmp_path))
    assert answers, "the session answered"
    assert not english_left(answers, WHOLE_BOT)


def test_a_shipped_playbook_reads_german(tmp_path: Path) -> None:
    answers = bot_answers(session(tmp_path, PLAYBOOK_SESSION))
    said = "\n".join(answers)
    for german in (
        "☐ 1. Betroffene Hosts vom Netz trennen (nicht ausschalten: der Arbeitsspeicher ist",
        "Aufgabe #1 angelegt (verantwortlich tech-lead",
        "[eröffnet] alice@acme: Eröffnet: Dateiserver verschlüsselt",
        "[Aufgabe] alice@acme: Aufgabe #2 angelegt",
        "[Playbook] alice@acme: Playbook ransomware angewendet: Ransomware",
        "[Notiz] alice@acme: Netz getrennt",
        "ddos: DDoS (8 Aufgaben, SEV2, TLP:GREEN)",
        "ransomware-supplier: Ransomware bei einem Zulieferer",
    ):
        assert german in said, f"{german!r} not in:\n{said}"
    assert "[note]" not in said and "[task]" not in said
    assert not english_left(answers, WHOLE_BOT)


def test_the_check_finds_english_it_knows() -> None:
    english = ["⚠ unknown command 'frobnicate'\n    try `help`"]
    assert english_left(english, ANSWERING) == ["try `help`", "unknown command"]
    assert not english_left(["⚠ unbekannter Befehl 'frobnicate'"], ANSWERING)


def session(folder: Path, lines: str = SESSION) -> str:
    config = folder / "de.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{folder / "wr.db"}"\n'
        '[console]\nlocale = "de"\ntimezone = "Europe/Berlin"\n',
        encoding="utf-8",
    )
    done = warroom(
        "console", "-c", str(config), "--user", "alice", "--org", "acme", cwd=folder, stdin=lines
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


def bot_answers(output: str) -> list[str]:
    """What the bot said, one block each: a post (`[N] #room warroom: ...`) or a private
    answer (`[#room] (only NAME) ...`), with its indented lines; the console's own `*` lines
    are not the bot's."""
    blocks: list[list[str]] = []
    for line in output.splitlines():
        if re.match(r"^\[\d+\] #\S+ warroom: |^\[#\S+\] \(only \S+\) ", line):
            blocks.append([line.split(": ", 1)[1] if "warroom: " in line else line])
        elif line.startswith("    ") and blocks:
            blocks[-1].append(line)
        elif blocks:
            blocks.append([])  # a console line ends the block
    return ["\n".join(b) for b in blocks if b]


def english_left(answers: Iterable[str], sources: Sequence[str]) -> list[str]:
    """The English of `sources`' texts found in `answers`: each text's words between its
    placeholders, where the German translation does not say them the same way."""
    said = "\n".join(answers)
    return sorted({words for words in english_words(tuple(sources)) if words in said})


@cache
def english_words(sources: tuple[str, ...]) -> frozenset[str]:
    german = Translations.load(str(CATALOGS), ["de"], DOMAIN)
    found: set[str] = set()
    for message in _messages(sources):
        translated = german.ugettext(message)
        for words in PLACEHOLDER.split(message):
            words = words.strip(" :;,.()'\"")
            if len(re.findall(r"[A-Za-z]{2,}", words)) >= 2 and words not in translated:
                found.add(words)
    return frozenset(found)


def _messages(sources: Sequence[str]) -> Iterable[str]:
    for source in sources:
        path = ROOT / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            for _line, message, _comments, _context in extract_from_file(
                "python", str(file), keywords=KEYWORDS
            ):
                yield message if isinstance(message, str) else message[0]
        for file in sorted(path.rglob("*.toml")) if path.is_dir() else []:
            with file.open("rb") as toml:  # the shipped playbooks' and exercises' texts
                yield from (text for _, _, text, _ in extract_toml(toml, {}, (), {}))
