"""Exercise scenarios: TOML files, the shipped ones and `[exercises] dir`.

A scenario's name is its file name without `.toml`; a folder's scenario replaces a shipped
one of the same name. A file is checked key by key, and an error names the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from warroom.bot.config import Config
from warroom.bot.domain.exercises import ALL_PARTS, Check, Expectation, Inject, Outcome, Scenario
from warroom.bot.domain.tlp import Tlp
from warroom.bot.domain.vocabulary import DEFAULT_SEVERITY, DEFAULT_TLP, ROLES, State
from warroom.bot.operations.toml_fields import strings_field, text_field

SHIPPED = Path(__file__).resolve().parent.parent / "exercises"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_OFFSET = re.compile(r"^\s*([0-9]{1,9})\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_TOP_KEYS = (
    "title",
    "summary",
    "objectives",
    "severity",
    "tlp",
    "parts",
    "playbook",
    "questions",
    "injects",
    "expectations",
)
_INJECT_KEYS = ("id", "at", "to", "role", "tlp", "text", "after")
_EXPECTATION_KEYS = ("id", "text", "by", "within", "score", "inject", *tuple(Check))

Fail = Callable[[str, str], "ScenarioError"]


class ScenarioError(Exception):
    """A scenario file that cannot be used: `file: key: problem`, one line."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


def read_scenario(path: Path, *, playbooks: Collection[str] | None = None) -> Scenario:
    """One file, checked; `playbooks` (the known names) are those it may apply."""
    return parse_script(path, playbooks=playbooks)[0]


def parse_script(path: Path, *, playbooks: Collection[str] | None = None) -> tuple[Scenario, str]:
    """One file, checked, with its text (what a run keeps)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ScenarioError(file, "", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ScenarioError(file, "", f"cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", f"not valid TOML: {exc}") from None
    return parse_scenario(raw, name=path.stem, file=file, playbooks=playbooks), text


def parse_scenario(
    raw: Mapping[str, Any],
    *,
    name: str,
    file: str,
    playbooks: Collection[str] | None = None,
) -> Scenario:
    def fail(key: str, problem: str) -> ScenarioError:
        return ScenarioError(file, key, problem)

    if not _NAME.match(name):
        raise fail("", f"the file name {name!r} is not lower-case letters, digits and dashes")
    for key in raw:
        if key not in _TOP_KEYS:
            raise fail(key, f"unknown key; expected one of {', '.join(_TOP_KEYS)}")
    severity = raw.get("severity", DEFAULT_SEVERITY)
    if severity not in (1, 2, 3, 4) or isinstance(severity, bool):
        raise fail("severity", "must be 1 to 4 (1 is the worst)")
    tlp = _tlp(raw, "tlp", fail, default=DEFAULT_TLP)
    parts = tuple(p.lower() for p in strings_field(raw, "parts", fail, needed=True))
    for i, part in enumerate(parts):
        if not _ID.match(part) or part == ALL_PARTS or parts.index(part) != i:
            raise fail(f"parts[{i}]", f"{part!r} is not a part name, or is named twice")
    playbook = text_field(raw, "playbook", fail, default="")
    if playbook and playbooks is not None and playbook not in playbooks:
        raise fail("playbook", f"unknown playbook {playbook!r}")
    injects = tuple(
        _inject(f"injects[{i}]", t, fail, parts)
        for i, t in enumerate(_tables(raw, "injects", fail))
    )
    expectations = tuple(
        _expectation(f"expectations[{i}]", t, fail, parts, injects)
        for i, t in enumerate(_tables(raw, "expectations", fail))
    )
    _check_ids(injects, expectations, fail)
    return Scenario(
        name=name,
        title=text_field(raw, "title", fail),
        summary=text_field(raw, "summary", fail, default=""),
        objectives=tuple(strings_field(raw, "objectives", fail)),
        severity=int(severity),
        tlp=tlp,
        parts=parts,
        playbook=playbook,
        questions=tuple(strings_field(raw, "questions", fail)),
        injects=injects,
        expectations=expectations,
        source=file,
    )


def _inject(where: str, raw: Mapping[str, Any], fail: Fail, parts: tuple[str, ...]) -> Inject:
    for key in raw:
        if key not in _INJECT_KEYS:
            raise fail(f"{where}.{key}", f"unknown key; expected one of {', '.join(_INJECT_KEYS)}")
    to_raw = raw.get("to")
    to = [to_raw] if isinstance(to_raw, str) else to_raw
    if not isinstance(to, list) or not to or not all(isinstance(t, str) for t in to):
        raise fail(f"{where}.to", "must be a part, a list of parts, or all")
    targets = tuple(t.strip().lower() for t in to)
    for target in targets:
        if target != ALL_PARTS and target not in parts:
            raise fail(f"{where}.to", f"unknown part {target!r} (parts: {', '.join(parts)})")
    after = None
    if "after" in raw:
        value = text_field(raw, "after", fail, where=where)
        expectation, _, outcome = value.partition(":")
        if outcome not in tuple(Outcome):
            raise fail(
                f"{where}.after", f"must be EXPECTATION:met or EXPECTATION:missed, not {value!r}"
            )
        after = (expectation.strip(), Outcome(outcome))
    return Inject(
        id=_id(raw, where, fail),
        at=_offset(raw, "at", fail, where=where, needed=after is None),
        to=targets,
        text=text_field(raw, "text", fail, where=where),
        tlp=_tlp(raw, "tlp", fail, where=where) if "tlp" in raw else None,
        role=_role(raw, where, fail),
        after=after,
    )


def _expectation(
    where: str,
    raw: Mapping[str, Any],
    fail: Fail,
    parts: tuple[str, ...],
    injects: tuple[Inject, ...],
) -> Expectation:
    for key in raw:
        if key not in _EXPECTATION_KEYS:
            expected = ", ".join(_EXPECTATION_KEYS)
            raise fail(f"{where}.{key}", f"unknown key; expected one of {expected}")
    by = text_field(raw, "by", fail, where=where).lower()
    if by not in parts:
        raise fail(f"{where}.by", f"unknown part {by!r} (parts: {', '.join(parts)})")
    checks = [c for c in Check if c in raw]
    if len(checks) != 1:
        raise fail(where, f"needs exactly one check key of {', '.join(Check)}")
    check = checks[0]
    value = _check_value(where, raw, check, fail, parts)
    inject = text_field(raw, "inject", fail, where=where, default="")
    if inject and inject not in {i.id for i in injects}:
        raise fail(f"{where}.inject", f"unknown inject {inject!r}")
    score = raw.get("score", 1)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 1000:
        raise fail(f"{where}.score", "must be a whole number of points, 0 to 1000")
    return Expectation(
        id=_id(raw, where, fail),
        text=text_field(raw, "text", fail, where=where),
        by=by,
        within=_offset(raw, "within", fail, where=where, needed=True, zero=False),
        score=score,
        check=check,
        value=value,
        inject=inject,
    )


def _check_value(
    where: str, raw: Mapping[str, Any], check: Check, fail: Fail, parts: tuple[str, ...]
) -> str:
    key = f"{where}.{check}"
    if check is Check.MANUAL:
        if raw[check] is not True:
            raise fail(key, "must be true")
        return ""
    value = text_field(raw, check, fail, where=where)
    if check is Check.ROLE and value.lower() not in ROLES:
        raise fail(key, f"must be one of {', '.join(ROLES)}")
    if check is Check.STATE and value.lower() not in tuple(State):
        raise fail(key, f"must be one of {', '.join(State)}")
    if check is Check.RELAYED_TO and value.lower() not in parts:
        raise fail(key, f"unknown part {value!r} (parts: {', '.join(parts)})")
    if check is Check.SAID:
        try:
            re.compile(value)
        except re.error as exc:
            raise fail(key, f"not a regular expression: {exc}") from None
        return value
    return value if check is Check.TASK else value.lower()


def _check_ids(
    injects: tuple[Inject, ...], expectations: tuple[Expectation, ...], fail: Fail
) -> None:
    for kind, ids in (
        ("injects", [i.id for i in injects]),
        ("expectations", [e.id for e in expectations]),
    ):
        for i, item in enumerate(ids):
            if item in ids[:i]:
                raise fail(f"{kind}[{i}].id", f"{item!r} is used twice")
    known = {e.id for e in expectations}
    for i, inject in enumerate(injects):
        if inject.after is not None and inject.after[0] not in known:
            raise fail(f"injects[{i}].after", f"unknown expectation {inject.after[0]!r}")


def _id(raw: Mapping[str, Any], where: str, fail: Fail) -> str:
    value = text_field(raw, "id", fail, where=where)
    if not _ID.match(value):
        raise fail(f"{where}.id", f"{value!r} is not lower-case letters, digits, - and _")
    return value


def _role(raw: Mapping[str, Any], where: str, fail: Fail) -> str:
    role = text_field(raw, "role", fail, where=where, default="").lower()
    if role and role not in ROLES:
        raise fail(f"{where}.role", f"must be one of {', '.join(ROLES)}")
    return role


def _offset(
    raw: Mapping[str, Any],
    key: str,
    fail: Fail,
    *,
    where: str,
    needed: bool,
    zero: bool = True,
) -> timedelta:
    if key not in raw and not needed:
        return timedelta(0)
    text = text_field(raw, key, fail, where=where)
    match = _OFFSET.match(text)
    if not match or (not zero and int(match.group(1)) == 0):
        raise fail(f"{where}.{key}", f"{text!r} is not a duration like 45s, 30m, 1h or 1d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _tlp(
    raw: Mapping[str, Any], key: str, fail: Fail, *, where: str = "", default: Tlp | None = None
) -> Tlp:
    text = text_field(raw, key, fail, where=where, default=default.label if default else None)
    try:
        return Tlp.parse(text)
    except ValueError as exc:
        raise fail(f"{where}.{key}" if where else key, str(exc)) from None


def _tables(raw: Mapping[str, Any], key: str, fail: Fail) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
        raise fail(key, f"must be one or more [[{key}]] tables")
    return value


def folders(config: Config) -> tuple[Path, ...]:
    """Where scenarios come from, the shipped ones first: a later one of a name wins."""
    return (SHIPPED, *([Path(config.exercises.dir)] if config.exercises.dir else []))


def load(
    config: Config, *, playbooks: Collection[str] | None = None
) -> dict[str, tuple[Scenario, str]]:
    """Every scenario by name, with its file's text; a ScenarioError for the first file
    with an error."""
    found: dict[str, tuple[Scenario, str]] = {}
    for folder in folders(config):
        for path in sorted(folder.glob("*.toml")):
            found[path.stem] = parse_script(path, playbooks=playbooks)
    return dict(sorted(found.items()))


def problems(paths: Iterable[Path], *, playbooks: Collection[str] | None = None) -> list[str]:
    """Every error in the scenario files of `paths` (folders or files), one line each."""
    lines: list[str] = []
    for path in paths:
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            lines.append(f"{path}: no *.toml scenarios in this folder")
        for file in files:
            try:
                read_scenario(file, playbooks=playbooks)
            except ScenarioError as exc:
                lines.append(str(exc))
    return lines


@lru_cache(maxsize=256)
def from_script(name: str, script: str) -> Scenario:
    """A run's scenario, from the file's text stored when it started."""
    return parse_scenario(tomllib.loads(script), name=name, file=f"{name}.toml")
