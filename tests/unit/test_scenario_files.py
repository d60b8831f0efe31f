"""Exercise scenario files: the shipped ones load, and every error names its file and key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from warroom.bot.config import Config, ExercisesConfig
from warroom.bot.domain.exercises import Check, Outcome
from warroom.bot.operations.playbooks import load as load_playbooks
from warroom.bot.operations.scenarios import SHIPPED, load, problems

GOOD = """title = "X"
parts = ["victim", "cert"]
[[injects]]
id = "one"
at = "5m"
to = "victim"
text = "Something happens."
[[expectations]]
id = "lead"
text = "A commander is named"
by = "victim"
within = "10m"
role = "commander"
"""


def test_the_shipped_scenarios_load_and_check_clean() -> None:
    found = load(Config(), playbooks=list(load_playbooks(Config())))
    wanted = {"ransomware-supplier", "leaked-cloud-credentials", "vulnerability-disclosure"}
    assert wanted <= set(found)
    assert problems([SHIPPED], playbooks=list(load_playbooks(Config()))) == []
    ransomware, _ = found["ransomware-supplier"]
    assert set(ransomware.parts) == {"victim", "provider", "cert"}
    assert {e.check for e in ransomware.expectations} == set(Check)
    press = ransomware.inject("press")
    assert press is not None and press.after == ("contain", Outcome.MISSED)


def test_a_good_file_reads_offsets_parts_and_checks(tmp_path: Path) -> None:
    (tmp_path / "drill.toml").write_text(GOOD)
    scenario, text = load(Config(exercises=_folder(tmp_path)))["drill"]
    assert text == GOOD and scenario.name == "drill"
    assert scenario.injects[0].at == timedelta(minutes=5)
    assert scenario.expectations[0].check is Check.ROLE
    assert scenario.expectations[0].value == "commander"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("title = ", "not valid TOML"),
        ("colour = 'red'\n" + GOOD, "colour: unknown key"),
        (GOOD.replace('title = "X"\n', ""), "title: is missing"),
        (GOOD.replace('["victim", "cert"]', "[]"), "parts: is missing or empty"),
        (GOOD.replace('at = "5m"', 'at = "soon"'), "injects[0].at: 'soon' is not a duration"),
        (GOOD.replace('to = "victim"', 'to = "boss"'), "injects[0].to: unknown part 'boss'"),
        (GOOD.replace('id = "one"', 'id = "One!"'), "injects[0].id: 'One!' is not lower-case"),
        (GOOD.replace('to = "victim"\n', 'to = "victim"\ntlp = "purple"\n'), "injects[0].tlp"),
        (GOOD.replace('at = "5m"', 'after = "lead:maybe"'), "injects[0].after: must be"),
        (GOOD.replace('at = "5m"', 'after = "nothing:met"'), "injects[0].after: unknown"),
        (GOOD.replace('by = "victim"', 'by = "boss"'), "expectations[0].by: unknown part"),
        (GOOD.replace('within = "10m"', 'within = "0m"'), "expectations[0].within"),
        (GOOD.replace('role = "commander"', 'role = "king"'), "expectations[0].role: must be"),
        (GOOD.replace('role = "commander"', 'state = "panic"'), "expectations[0].state"),
        (GOOD.replace('role = "commander"', 'said = "(unclosed"'), "not a regular expression"),
        (GOOD.replace('role = "commander"', 'relayed_to = "press"'), "relayed_to: unknown"),
        (GOOD.replace('role = "commander"', "manual = false"), "manual: must be true"),
        (GOOD + 'said = "x"\n', "expectations[0]: needs exactly one check key"),
        (GOOD.replace('role = "commander"', 'role = "deputy"\nscore = -1'), "score: must be"),
        (GOOD + 'inject = "two"\n', "expectations[0].inject: unknown inject 'two'"),
        (GOOD + GOOD[GOOD.index("[[expectations]]") :], "expectations[1].id: 'lead' is used"),
    ],
)
def test_every_error_names_the_file_and_the_key(tmp_path: Path, content: str, error: str) -> None:
    path = tmp_path / "drill.toml"
    path.write_text(content)
    [line] = problems([path])
    assert line.startswith(f"{path}: ") and error in line


def test_an_unknown_playbook_is_an_error_where_playbooks_are_known(tmp_path: Path) -> None:
    path = tmp_path / "drill.toml"
    path.write_text('playbook = "nothing"\n' + GOOD)
    assert problems([path]) == []
    [line] = problems([path], playbooks=["ransomware"])
    assert line == f"{path}: playbook: unknown playbook 'nothing'"


def _folder(path: Path) -> ExercisesConfig:
    return ExercisesConfig(dir=str(path))
