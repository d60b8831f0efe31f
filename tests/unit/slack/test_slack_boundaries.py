"""The core never imports a Slack SDK (DESIGN.md: dependencies point inward)."""

from __future__ import annotations

import subprocess
import sys

# Imports every module of the packages named on the command line, then prints which
# slack_bolt / slack_sdk modules that pulled in.
CHECK = """
import importlib, pkgutil, sys
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("slack_bolt", "slack_sdk"))
print(",".join(loaded))
"""


def slack_modules_loaded_by(*packages: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, *packages],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_the_core_never_imports_slack_bolt_or_slack_sdk() -> None:
    assert slack_modules_loaded_by("warroom.bot", "warroom.commands", "warroom.storage") == ""


def test_the_check_sees_the_slack_adapter_import_them() -> None:
    loaded = slack_modules_loaded_by("warroom.adapters.slack").split(",")
    assert "slack_bolt" in loaded and "slack_sdk" in loaded
