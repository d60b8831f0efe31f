"""No output path renders timeline text without the one disclosure rule.

Every module that reads timeline text out of storage must hand it to `Visibility` (which asks
`domain/disclosure.py`), or be named here with the reason it renders none of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
READS = {"entries", "latest", "of_kind", "by_source", "entries_after", "older", "newer"}
# modules that read entries but show no timeline text to anyone
RENDER_NONE = {
    "bot/operations/audit.py": "checks the hash chain; reports only entry numbers",
    "bot/core.py": "finds the entry an edit, deletion or highlight refers to, to record anew",
    "bot/operations/visibility.py": "is the rule's read model itself",
    "bot/runtime/open_rooms.py": "finds each room's newest message id, to catch up from",
    "bot/operations/scoring.py": "matches entries to exercise checks; records who and when only",
}
TEXT_ATTRIBUTES = {"text", "title", "summary"}


def timeline_reads(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in READS
        and isinstance(node.value, ast.Attribute)
        and node.value.attr in ("timeline", "digests")
    ]


def asks_the_rule(tree: ast.AST) -> bool:
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    return bool(names & {"Visibility", "disclose"})


def test_every_module_reading_timeline_text_asks_the_rule() -> None:
    unasked = []
    for folder in ("bot", "commands", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text())
            if timeline_reads(tree) and relative not in RENDER_NONE and not asks_the_rule(tree):
                unasked.append(relative)
    assert unasked == []


def test_the_check_sees_a_module_that_would_not_ask() -> None:
    rogue = ast.parse("def show(uow):\n    return [e.text for e in uow.timeline.entries(1)]\n")
    assert timeline_reads(rogue) and not asks_the_rule(rogue)


def test_adapters_never_read_the_timeline() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "adapters").rglob("*.py")
        if timeline_reads(ast.parse(path.read_text()))
    ]
    assert readers == []


def test_cards_render_only_the_texts_they_are_handed() -> None:
    """The card and report builders take texts the rule let through, never an entry's own."""
    tree = ast.parse((ROOT / "bot/operations/cards.py").read_text())
    reads = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in TEXT_ATTRIBUTES
        and isinstance(node.value, ast.Name)
        and node.value.id in ("entry", "e", "incident", "i")
    ]
    assert reads == []
