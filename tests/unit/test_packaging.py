"""Everything installs under the one `warroom` package (DESIGN.md: "The package installs
under one name"), and nothing imports the repository's folders by their bare names."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
FOLDERS = ("bot", "adapters", "commands", "storage")
SOURCES = (*FOLDERS, "warroom", "tests", "bench")
BARE = re.compile(rf"^({'|'.join(FOLDERS)})(\.|$)")
# a module reference in a string (a factory, a scheduler job), not a config key (`storage.url`)
BARE_REFERENCE = re.compile(rf"""["']({"|".join(FOLDERS)})(\.[a-z_]+)+(:[a-z_]+|\.[a-z_]+)["']""")


def python_files() -> list[Path]:
    return [p for folder in SOURCES for p in (ROOT / folder).rglob("*.py")]


def test_no_module_imports_a_folder_by_its_bare_name() -> None:
    bare = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            bare += [f"{path.relative_to(ROOT)}: {n}" for n in names if BARE.match(n)]
    assert bare == []


def test_no_string_refers_to_a_module_by_its_bare_name() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in python_files()
        for match in BARE_REFERENCE.finditer(path.read_text())
    ]
    assert found == []


def test_every_package_folder_is_installed_under_warroom() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapping = setuptools["package-dir"]
    assert mapping == {"warroom": "warroom", **{f"warroom.{f}": f for f in FOLDERS}}
    on_disk = {"warroom"} | {
        "warroom." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in FOLDERS
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk
