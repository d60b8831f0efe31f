"""Playbooks: TOML files of standard tasks, the shipped ones and `[playbooks] dir`.

A file is read whole and checked key by key; an error names the file and the key. A folder's
playbook replaces a shipped one of the same name, so a site can adapt the shipped process.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from warroom.bot.config import Config, parse_duration
from warroom.bot.domain.tasks import After, owner_org, owner_syntax_problem
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DEFAULT_SEVERITY, DEFAULT_TLP
from warroom.bot.operations.toml_fields import strings_field, text_field

SHIPPED = Path(__file__).resolve().parent.parent / "playbooks"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_WORDS = re.compile(r"\w+")
_TOP_KEYS = ("name", "title", "description", "severity", "tlp", "keywords", "orgs", "tasks")
_TASK_KEYS = ("text", "owner", "due", "after")


class PlaybookError(Exception):
    """A playbook file that cannot be used: `file: key: problem`, one line."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class Step:
    text: str
    owner: str = ""  # a role, liaison:ORG or an org id, read when the task is added
    due: timedelta | None = None  # from when the task is added
    after: After = After.OPEN


@dataclass(frozen=True)
class Playbook:
    name: str
    title: str
    description: str
    severity: int
    tlp: Tlp
    keywords: tuple[str, ...]
    orgs: tuple[str, ...]
    steps: tuple[Step, ...]
    source: str  # the file it came from


def read_playbook(path: Path, *, known_orgs: Collection[str] | None = None) -> Playbook:
    """One file, checked; `known_orgs` (the config's) are the organisations it may name."""
    file = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise PlaybookError(file, "", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise PlaybookError(file, "", f"cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(file, "", f"not valid TOML: {exc}") from None
    return parse_playbook(raw, file=file, known_orgs=known_orgs)


def parse_playbook(
    raw: Mapping[str, Any], *, file: str, known_orgs: Collection[str] | None = None
) -> Playbook:
    def fail(key: str, problem: str) -> PlaybookError:
        return PlaybookError(file, key, problem)

    for key in raw:
        if key not in _TOP_KEYS:
            raise fail(key, f"unknown key; expected one of {', '.join(_TOP_KEYS)}")
    name = text_field(raw, "name", fail)
    if not _NAME.match(name):
        raise fail("name", f"{name!r} is not lower-case letters, digits and dashes")
    severity = raw.get("severity", DEFAULT_SEVERITY)
    if severity not in (1, 2, 3, 4) or isinstance(severity, bool):
        raise fail("severity", "must be 1 to 4 (1 is the worst)")
    try:
        tlp = Tlp.parse(text_field(raw, "tlp", fail, default=DEFAULT_TLP.label))
    except ValueError as exc:
        raise fail("tlp", str(exc)) from None
    orgs = strings_field(raw, "orgs", fail)
    for i, org in enumerate(orgs):
        if known_orgs is not None and org not in known_orgs:
            raise fail(f"orgs[{i}]", f"unknown organisation {org!r}")
    tasks = raw.get("tasks")
    if not isinstance(tasks, list) or not tasks or not all(isinstance(t, dict) for t in tasks):
        raise fail("tasks", "must be one or more [[tasks]] tables")
    steps = tuple(_step(f"tasks[{i}]", t, fail, known_orgs) for i, t in enumerate(tasks))
    return Playbook(
        name=name,
        title=text_field(raw, "title", fail),
        description=text_field(raw, "description", fail, default=""),
        severity=int(severity),
        tlp=tlp,
        keywords=tuple(k.lower() for k in strings_field(raw, "keywords", fail)),
        orgs=tuple(o.lower() for o in orgs),
        steps=steps,
        source=file,
    )


def _step(
    where: str, raw: Mapping[str, Any], fail: Any, known_orgs: Collection[str] | None
) -> Step:
    for key in raw:
        if key not in _TASK_KEYS:
            raise fail(f"{where}.{key}", f"unknown key; expected one of {', '.join(_TASK_KEYS)}")
    text = text_field(raw, "text", fail, where=where)
    owner = text_field(raw, "owner", fail, where=where, default="")
    if owner:
        problem = owner_syntax_problem(owner)
        org = owner_org(owner)
        if problem is None and known_orgs is not None and org and org not in known_orgs:
            problem = f"unknown organisation {org!r}"
        if problem:
            raise fail(f"{where}.owner", problem)
    due = None
    if "due" in raw:
        try:
            due = parse_duration(text_field(raw, "due", fail, where=where))
        except ValueError as exc:
            raise fail(f"{where}.due", str(exc)) from None
    after = text_field(raw, "after", fail, where=where, default=After.OPEN.value)
    if after not in tuple(After):
        raise fail(f"{where}.after", f"must be one of {', '.join(After)}, not {after!r}")
    return Step(text=text, owner=owner.lower(), due=due, after=After(after))


def folders(config: Config) -> tuple[Path, ...]:
    """Where playbooks come from, the shipped ones first: a later one of a name wins."""
    return (SHIPPED, *([Path(config.playbooks.dir)] if config.playbooks.dir else []))


def load(config: Config) -> dict[str, Playbook]:
    """Every playbook by name; a PlaybookError for the first file with an error."""
    files = tuple(
        _shipped_listing() if folder == SHIPPED else _listing(folder) for folder in folders(config)
    )
    return dict(_load(files, tuple(sorted(o.id for o in config.orgs)) or None))


@cache
def _shipped_listing() -> tuple[tuple[str, int, int], ...]:
    """The package's own playbooks change only with a new release: listed once, not on
    every `open --playbook` (a folder named in config is listed each time, as it is edited)."""
    return _listing(SHIPPED)


def _listing(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """The folder's playbook files with their sizes and times: a changed file is read again."""
    found = []
    for path in sorted(folder.glob("*.toml")):
        stat = path.stat()
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@lru_cache(maxsize=16)
def _load(
    files: tuple[tuple[tuple[str, int, int], ...], ...], known_orgs: tuple[str, ...] | None
) -> tuple[tuple[str, Playbook], ...]:
    found: dict[str, Playbook] = {}
    for listing in files:
        here: dict[str, Playbook] = {}
        for path, _, _ in listing:
            playbook = read_playbook(Path(path), known_orgs=known_orgs)
            if playbook.name in here:
                raise PlaybookError(
                    path, "name", f"{playbook.name!r} is declared in {here[playbook.name].source}"
                )
            here[playbook.name] = playbook
        found.update(here)
    return tuple(sorted(found.items()))


def problems(paths: Iterable[Path], *, known_orgs: Collection[str] | None = None) -> list[str]:
    """Every error in the playbook files of `paths` (folders or files), one line each."""
    lines: list[str] = []
    names: dict[str, str] = {}
    for path in paths:
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            lines.append(f"{path}: no *.toml playbooks in this folder")
        for file in files:
            try:
                playbook = read_playbook(file, known_orgs=known_orgs)
            except PlaybookError as exc:
                lines.append(str(exc))
                continue
            if playbook.name in names and names[playbook.name] != str(file.parent):
                continue  # a folder's playbook replacing a shipped one
            if playbook.name in names:
                lines.append(f"{file}: name: {playbook.name!r} is declared twice in this folder")
            names[playbook.name] = str(file.parent)
    return lines


def suggest(title: str, playbooks: Iterable[Playbook]) -> Playbook | None:
    """The playbook whose keywords the title matches most (whole words), if any."""
    words = " ".join(_WORDS.findall(title.casefold()))
    best: tuple[int, str] | None = None
    chosen = None
    for playbook in playbooks:
        hits = sum(
            1
            for k in playbook.keywords
            if re.search(rf"\b{re.escape(' '.join(_WORDS.findall(k)))}\b", words)
        )
        if hits and (best is None or (-hits, playbook.name) < best):
            best, chosen = (-hits, playbook.name), playbook
    return chosen
