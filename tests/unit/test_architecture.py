"""Dependencies point inward: the core never imports a platform SDK or an adapter."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("bot", "adapters", "commands", "storage")
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "nio", "aiohttp")
# the runtime's one HTTP server runs on aiohttp, there no platform's SDK
ALLOWED_SDKS = {"bot/runtime": ("aiohttp",)}


def imports_of(folder: str) -> list[tuple[str, str]]:
    found = []
    for path in (ROOT / folder).rglob("*.py"):
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(where, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((where, node.module))
    return found


def allowed_sdk(where: str, sdk: str) -> bool:
    return any(where.startswith(f"{d}/") and sdk in s for d, s in ALLOWED_SDKS.items())


@pytest.mark.parametrize("folder", ["bot", "commands", "storage"])
def test_the_core_never_imports_a_platform_sdk(folder: str) -> None:
    bad = [
        (f, m)
        for f, m in imports_of(folder)
        if m.split(".")[0] in PLATFORM_SDKS and not allowed_sdk(f, m.split(".")[0])
    ]
    assert bad == []


@pytest.mark.parametrize("folder", ["commands", "storage"])
def test_commands_and_storage_never_import_adapters(folder: str) -> None:
    bad = [(f, m) for f, m in imports_of(folder) if m.startswith("adapters")]
    assert bad == []


@pytest.mark.parametrize("folder", ["adapters", "storage"])
def test_adapters_and_storage_never_import_commands(folder: str) -> None:
    bad = [(f, m) for f, m in imports_of(folder) if m.startswith("commands")]
    assert bad == []


def test_only_the_cli_imports_the_composition_root() -> None:
    users = {
        path.name
        for package in (*PACKAGES, "warroom")
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"\bbot\.app\b", path.read_text()) and path.name != "app.py"
    }
    assert users <= {"cli.py"}
