"""The wheel's only top-level package is `warroom`, with the templates, the Slack manifest,
the dashboard's pages and static files, and the migrations inside it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_wheel_installs_one_top_level_package(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("warroom-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"warroom"}
    for expected in (
        "warroom/bot/core.py",
        "warroom/bot/templates/report.md.j2",
        "warroom/adapters/slack/manifest.yml",
        "warroom/adapters/web/templates/incident.html.j2",
        "warroom/adapters/web/static/live.js",
        "warroom/adapters/web/static/chart.umd.js",
        "warroom/adapters/web/static/chart.js.LICENSE.md",
        "warroom/storage/migrations/env.py",
        "warroom/py.typed",
    ):
        assert expected in names
