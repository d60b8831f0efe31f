"""The core never imports a Slack SDK (DESIGN.md: dependencies point inward)."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import warroom.bot, warroom.commands, warroom.storage
for package in (warroom.bot, warroom.commands, warroom.storage):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("slack_bolt", "slack_sdk"))
print(",".join(loaded))
"""


def test_the_core_never_imports_slack_bolt_or_slack_sdk() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def test_the_check_would_see_a_slack_import() -> None:
    probe = CHECK.replace("import warroom.bot,", "import slack_sdk, warroom.bot,")
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert "slack_sdk" in result.stdout
