"""`warroom playbooks check` as a subprocess: ok and 0, or one line per error and 1; and a
console session that runs a playbook and exports its checklist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def warroom(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_the_shipped_playbooks_check_clean(tmp_path: Path) -> None:
    done = warroom("playbooks", "check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ")


def test_a_broken_playbook_is_named_by_file_and_key_and_fails(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text('name = "g"\ntitle = "G"\n[[tasks]]\ntext = "a"\n')
    (tmp_path / "bad.toml").write_text(
        'name = "b"\ntitle = "B"\n[[tasks]]\ntext = "a"\ndue = "whenever"\n'
    )
    done = warroom("playbooks", "check", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"{tmp_path / 'bad.toml'}: tasks[0].due: 'whenever' is not a duration like 45s, 30m, "
        "1h or 1d"
    ]


def test_a_missing_folder_fails_in_one_line(tmp_path: Path) -> None:
    done = warroom("playbooks", "check", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == f"warroom: {tmp_path / 'nowhere'}: no such file or folder"


def test_a_console_session_runs_a_playbook_and_exports_its_checklist(tmp_path: Path) -> None:
    config = tmp_path / "warroom.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "wr.db"}"\n')
    script = "/incident open 'Flood on the web tier' --playbook ddos\n/incident task done 1\n"
    session = warroom("console", "-c", str(config), "--user", "alice", cwd=tmp_path, stdin=script)
    assert session.returncode == 0, session.stderr
    assert "INC-1 checklist: 0 of 6 done" in session.stdout
    exported = warroom("export", "INC-1", "-c", str(config), cwd=tmp_path)
    data = json.loads(exported.stdout)
    assert data["tasks"][0]["done_at"] is not None and data["metrics"]["tasks_total"] == 6
    report = warroom("export", "INC-1", "--format", "md", "-c", str(config), cwd=tmp_path)
    assert "- [x] 1. Confirm the attack" in report.stdout
