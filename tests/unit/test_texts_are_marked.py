"""Every text the bot says goes through the catalogs: a literal sentence handed straight to a
message, a field or an error would reach a German reader in English."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "adapters", "commands")
# what takes text a person reads, and which of its arguments are that text
SPEAKERS = {
    "CommandError": {0, "message"},
    "Message": {0, "body", "title", "footer"},
    "Field": {0, 1, "label", "value"},
    "phrase": set(),  # its first argument is the catalog message itself
}


TOKENS = ("SEV", "TLP:", "INC-")  # typed the same in every language


def spoken(node: ast.expr) -> bool:
    """A literal with words in it (not a bare symbol, emoji, spacing or a token like SEV)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        for token in TOKENS:
            text = text.replace(token, "")
        return any(c.isalpha() for c in text)
    if isinstance(node, ast.JoinedStr):
        return any(spoken(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return spoken(node.left) or spoken(node.right)
    return False


def literal_texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        slots = SPEAKERS.get(name)
        if not slots:
            continue
        given: list[tuple[int | str, ast.expr]] = list(enumerate(node.args))
        given += [(k.arg, k.value) for k in node.keywords if k.arg]
        for slot, value in given:
            if slot in slots and spoken(value):
                yield node.lineno, f"{name}(... {ast.unparse(value)[:60]} ...)"


def test_no_literal_sentence_reaches_a_reader() -> None:
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(ROOT)}:{n}: {t}" for n, t in literal_texts(tree)]
    assert not found, "mark these with lang.gettext / phrase / N_:\n" + "\n".join(found)


def test_the_check_sees_a_literal() -> None:
    tree = ast.parse('Message(body=f"Opened {key}")\nCommandError("no such incident")')
    assert len(list(literal_texts(tree))) == 2
    marked = ast.parse('Message(body=lang.gettext("Opened"))\nCommandError(phrase("x {k}"))')
    assert not list(literal_texts(marked))
