"""`warroom report` as a person runs it: after a console session, the indicators as JSON and
Markdown, one organisation's view, and bad input refused in one line with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_console_cli import warroom

CONFIG = """[storage]
url = "sqlite:///{db}"
[goals]
sev1 = {{ acknowledge = "15m" }}
[[orgs]]
id = "acme"
platform = "console"
[[orgs]]
id = "cert"
platform = "console"
locale = "de"
[[sharing]]
orgs = ["acme", "cert"]
max_tlp = "AMBER"
"""

SESSION = """/incident open "leak" --sev 1
/incident update looking
/incident resolve
/incident open "drill" --sev 2 --exercise
"""


def test_report_prints_the_figures_of_a_session(tmp_path: Path) -> None:
    config = tmp_path / "warroom.toml"
    config.write_text(CONFIG.format(db=tmp_path / "w.db"), encoding="utf-8")
    done = warroom("console", "-c", str(config), "--user", "alice", "--org", "acme",
                   cwd=tmp_path, stdin=SESSION)  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = warroom("report", "-c", str(config), "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    (sev1,) = data["incidents"]["by_severity"]
    assert (sev1["severity"], sev1["count"], sev1["acknowledge"]["reached"]) == (1, 1, 1)
    assert sev1["acknowledge"]["within_target"] == 1 and sev1["resolve"]["reached"] == 1
    assert data["exercises"]["count"] == 1 and data["view"] is None
    md = warroom("report", "-c", str(config), "--format", "md", cwd=tmp_path)
    assert md.returncode == 0 and md.stdout.startswith("# Indicators\n")
    assert "100% (1 of 1) within 15 minutes" in md.stdout
    cert = warroom("report", "-c", str(config), "--as-org", "cert", cwd=tmp_path)
    assert cert.returncode == 0 and "# Kennzahlen für cert" in cert.stdout
    assert "In dieser Zeit wurde kein Vorfall eröffnet." in cert.stdout  # cert took no part


def test_report_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "warroom.toml"
    config.write_text(CONFIG.format(db=tmp_path / "w.db"), encoding="utf-8")
    bad = warroom("report", "-c", str(config), "--since", "soon", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr == "warroom: --since: 'soon' is not a duration like 45s, 30m, 1h or 1d\n"
    unknown = warroom("report", "-c", str(config), "--as-org", "nobody", cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr == "warroom: --as-org: unknown org 'nobody'\n"


def test_report_imports_only_what_counting_needs(tmp_path: Path) -> None:
    """Start-up is most of a report's time: no migration tooling (the schema is compared by
    name), no secret scanner (nothing is shown), no serving process."""
    config = tmp_path / "warroom.toml"
    config.write_text(CONFIG.format(db=tmp_path / "w.db"), encoding="utf-8")
    assert warroom("db", "upgrade", "-c", str(config), cwd=tmp_path).returncode == 0
    script = (
        "import sys\n"
        "from warroom.bot.cli import main\n"
        f"assert main(['report', '-c', {str(config)!r}, '--format', 'json']) == 0\n"
        "heavy = ('alembic', 'mako', 'pygments', 'detect_secrets', 'warroom.bot.app')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
