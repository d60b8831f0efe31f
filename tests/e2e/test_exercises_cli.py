"""`warroom exercises check` as a subprocess: ok and 0, or one line per error and 1."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_playbooks_cli import warroom


def test_the_shipped_scenarios_check_clean(tmp_path: Path) -> None:
    done = warroom("exercises", "check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")


def test_a_broken_scenario_is_named_by_file_and_key_and_fails(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'title = "B"\nparts = ["victim"]\n[[injects]]\nid = "a"\nat = "whenever"\n'
        'to = "victim"\ntext = "x"\n'
    )
    done = warroom("exercises", "check", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"{tmp_path / 'bad.toml'}: injects[0].at: 'whenever' is not a duration like 45s, 30m, "
        "1h or 1d"
    ]
