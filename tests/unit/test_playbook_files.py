"""Playbook files: the shipped ones load, and every error names its file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.bot.config import Config
from warroom.bot.operations.playbooks import SHIPPED, load, problems, suggest

GOOD = 'name = "x"\ntitle = "X"\n[[tasks]]\ntext = "do it"\n'


def test_the_shipped_playbooks_load_and_check_clean() -> None:
    found = load(Config())
    wanted = {"ransomware", "leaked-credentials", "vulnerability-disclosure", "ddos"}
    assert wanted | {"personal-data-breach"} <= set(found)
    assert problems([SHIPPED]) == []
    assert sum(1 for s in found["ransomware"].steps if s.after == "open") >= 10


def test_the_legal_clocks_are_on_the_tasks_with_their_source() -> None:
    steps = {s.text: s for s in load(Config())["ransomware"].steps}
    early = next(s for t, s in steps.items() if "early warning" in t)
    notice = next(s for t, s in steps.items() if "NIS2 incident notification" in t)
    assert early.due is not None and early.due.total_seconds() == 24 * 3600
    assert notice.due is not None and notice.due.total_seconds() == 72 * 3600
    gdpr = load(Config())["personal-data-breach"].steps
    authority = next(s for s in gdpr if "supervisory authority" in s.text)
    assert authority.due is not None and authority.due.total_seconds() == 72 * 3600
    text = (SHIPPED / "ransomware.toml").read_text(encoding="utf-8")
    assert "Directive (EU) 2022/2555" in text and "art. 23(4)(a)" in text
    assert "art. 33(1)" in (SHIPPED / "personal-data-breach.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("name = ", "not valid TOML"),
        (GOOD.replace("[[tasks]]", "colour = 'red'\n[[tasks]]"), "colour: unknown key"),
        (GOOD.replace('"x"', '"Not Ok"', 1), "name: 'Not Ok' is not lower-case"),
        ('title = "X"\n[[tasks]]\ntext = "a"\n', "name: is missing"),
        (GOOD.replace("[[tasks]]", "severity = 7\n[[tasks]]"), "severity: must be 1 to 4"),
        (GOOD.replace("[[tasks]]", 'tlp = "purple"\n[[tasks]]'), "tlp: unknown TLP level"),
        ('name = "x"\ntitle = "X"\n', "tasks: must be one or more"),
        (GOOD + 'due = "soon"\n', "tasks[0].due: 'soon' is not a duration"),
        (GOOD + 'after = "later"\n', "tasks[0].after: must be one of open"),
        (GOOD + 'owner = "@bob"\n', "tasks[0].owner: '@bob' is not a role"),
        (GOOD + 'owner = "liaison:nowhere"\n', "tasks[0].owner: unknown organisation"),
        (GOOD + 'oner = "comms"\n', "tasks[0].oner: unknown key"),
        (
            GOOD.replace("[[tasks]]", 'orgs = ["nowhere"]\n[[tasks]]'),
            "orgs[0]: unknown organisation",
        ),
    ],
)
def test_a_bad_playbook_names_its_file_and_key(tmp_path: Path, content: str, error: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    found = problems([tmp_path], known_orgs=["acme", "cert"])
    assert len(found) == 1 and found[0].startswith(f"{path}: ")
    assert error in found[0]


def test_a_folder_replaces_a_shipped_playbook_but_may_not_declare_one_twice(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.toml").write_text(GOOD.replace('"x"', '"ddos"', 1), encoding="utf-8")
    assert problems([SHIPPED, tmp_path]) == []
    (tmp_path / "b.toml").write_text(GOOD.replace('"x"', '"ddos"', 1), encoding="utf-8")
    assert "declared twice" in problems([tmp_path])[0]


def test_a_title_s_words_suggest_the_playbook_they_fit() -> None:
    found = load(Config()).values()
    assert getattr(suggest("Ransomware on the file servers", found), "name", None) == "ransomware"
    assert getattr(suggest("API token leaked on a paste site", found), "name", None) == (
        "leaked-credentials"
    )
    assert suggest("printer on fire", found) is None
    assert suggest("transomwarehouse", found) is None, "whole words only"
