"""Dependencies point inward (DESIGN.md, "Shape: ports and adapters").

The domain imports nothing of ours; storage only the domain; operations the domain, storage
and config; commands never an adapter, the runtime or a storage session; adapters only the
domain (their factories config too); only app.py and cli.py wire. No circle of files.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FOLDERS = ("bot", "adapters", "commands", "storage")
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "nio")
STORAGE_SESSIONS = ("sqlmodel", "sqlalchemy", "warroom.storage.engine", "warroom.storage.repos")
FRAMEWORK = ("warroom.bot.grammar", "warroom.bot.context", "warroom.bot.registry")

# layer -> the layers it may import
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "storage": {"storage", "domain"},
    "config": {"config", "domain"},
    "operations": {"operations", "domain", "storage", "config"},
    "runtime": {"runtime", "operations", "domain", "storage", "config"},
    "reminders": {"reminders", "runtime", "operations", "domain", "storage", "config"},
    "framework": {"framework", "operations", "domain", "storage", "config"},
    "commands": {"commands", "framework", "operations", "domain", "storage", "config"},
    "core": {"core", "framework", "operations", "runtime", "domain", "storage", "config"},
    "adapters": {"adapters", "domain"},
    "factory": {"adapters", "domain", "config"},
    "wiring": {
        "wiring",
        "core",
        "framework",
        "commands",
        "reminders",
        "runtime",
        "operations",
        "domain",
        "storage",
        "config",
        "adapters",
        "factory",
        "package",
    },
    "package": {"package", "wiring"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["warroom", *parts] if parts[0] != "warroom" else parts)


def layer(module: str) -> str:
    if module.startswith("warroom.bot.domain"):
        return "domain"
    if module.startswith("warroom.storage"):
        return "storage"
    if module.startswith("warroom.bot.operations"):
        return "operations"
    if module.startswith("warroom.bot.runtime"):
        return "runtime"
    if module.startswith("warroom.bot.reminders"):
        return "reminders"
    if module.startswith(FRAMEWORK):
        return "framework"
    if module.startswith("warroom.commands"):
        return "commands"
    if module.startswith("warroom.adapters"):
        return "factory" if module.endswith(".factory") else "adapters"
    return {
        "warroom.bot.config": "config",
        "warroom.bot.directory": "config",
        "warroom.bot.core": "core",
        "warroom.bot.app": "wiring",
        "warroom.bot.cli": "wiring",
        "warroom.bot.cli_web": "wiring",
    }.get(module, "package")


def sources() -> Iterator[Path]:
    for folder in (*FOLDERS, "warroom"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


@cache
def imports() -> dict[str, set[str]]:
    """Each of our modules and what it imports (ours or not), TYPE_CHECKING ones too.
    `from package import module` counts as importing the module, not the package."""
    trees = {module_name(path): ast.parse(path.read_text()) for path in sources()}
    found: dict[str, set[str]] = {}
    for name, tree in trees.items():
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                submodules = {f"{node.module}.{a.name}" for a in node.names} & trees.keys()
                names |= submodules or {node.module}
                if len(submodules) < len(node.names):
                    names.add(node.module)
        found[name] = names
    return found


def ours(name: str) -> str | None:
    """The module of ours that an imported name refers to, if any."""
    modules = imports()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name if name.startswith("warroom") else None


def edges() -> set[tuple[str, str]]:
    return {
        (source, target)
        for source, names in imports().items()
        for name in names
        if (target := ours(name)) is not None and target != source
    }


def test_every_module_has_a_layer() -> None:
    package_level = {m for m in imports() if layer(m) == "package"}
    # warroom.bot.exercises holds only the shipped scenario files
    assert package_level == {"warroom", "warroom.__main__", "warroom.bot", "warroom.bot.exercises"}


def test_dependencies_point_inward() -> None:
    wrong = sorted(
        f"{source} ({layer(source)}) imports {target} ({layer(target)})"
        for source, target in edges()
        if layer(target) not in ALLOWED[layer(source)]
    )
    assert wrong == []


def test_no_circle_of_files() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in edges():
        graph.setdefault(source, set()).add(target)
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert circles == []


@pytest.mark.parametrize("layer_name", ["domain", "storage", "operations", "commands", "core"])
def test_the_core_never_imports_a_platform_sdk(layer_name: str) -> None:
    bad = [
        (module, name)
        for module, names in imports().items()
        if layer(module) == layer_name
        for name in names
        if name.split(".")[0] in PLATFORM_SDKS
    ]
    assert bad == []


def test_only_the_runtime_and_adapters_speak_http() -> None:
    speaking = {
        module
        for module, names in imports().items()
        if any(name.split(".")[0] == "aiohttp" for name in names)
    }
    assert {layer(m) for m in speaking} <= {"runtime", "adapters"}
    assert "warroom.bot.runtime.http" in speaking, "the check sees the HTTP server"


def test_commands_never_open_a_storage_session() -> None:
    bad = [
        (module, name)
        for module, names in imports().items()
        if layer(module) in ("commands", "framework")
        for name in names
        if name.startswith(STORAGE_SESSIONS)
    ]
    assert bad == []


def test_only_storage_touches_a_unit_of_works_session() -> None:
    touching = sorted(
        module_name(path)
        for path in sources()
        if layer(module_name(path)) != "storage"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr == "session"
        and isinstance(node.value, ast.Name)
        and node.value.id == "uow"
    )
    assert touching == []


def test_only_the_cli_imports_the_composition_root() -> None:
    users = {source for source, target in edges() if target == "warroom.bot.app"}
    assert users <= {"warroom.bot.cli", "warroom.bot.cli_web"}


def test_the_domain_imports_nothing_of_ours_but_itself() -> None:
    outside = {
        (source, target)
        for source, target in edges()
        if layer(source) == "domain" and layer(target) != "domain"
    }
    assert outside == set()
