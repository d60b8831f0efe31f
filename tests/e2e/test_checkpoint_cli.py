"""Checkpoints as a console organisation keeps them: the lines `warroom console` printed are
enough to catch every rewrite of the database, even with every hash recomputed."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, create_engine

from tests.integration import tampering
from warroom.bot.domain.checkpoint import TOKEN_PREFIX, documents_in, sign

SCENARIO = """\
/incident open "Customer DB credentials leaked" --sev 2 --tlp amber
/incident note rotated the leaked key
/incident note blocked 203.0.113.9 at the edge
/incident update "attacker blocked" --state contained
/incident note watching for new logins
/incident resolve "keys rotated"
/incident close
"""


def warroom(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One console session, kept: its database, its key and what it printed."""
    folder = tmp_path_factory.mktemp("console")
    (folder / "warroom.toml").write_text(f'[storage]\nurl = "sqlite:///{folder / "wr.db"}"\n')
    ran = warroom("console", "-c", "warroom.toml", "--user", "alice", cwd=folder, stdin=SCENARIO)
    assert ran.returncode == 0, ran.stderr
    (folder / "lines.txt").write_text(ran.stdout)
    return folder


@pytest.fixture
def copy(session: Path, tmp_path: Path) -> Path:
    for name in ("wr.db", "lines.txt", "checkpoint-signing-key.pem"):
        shutil.copy(session / name, tmp_path / name)
    (tmp_path / "warroom.toml").write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "wr.db"}"\n')
    return tmp_path


def engine_of(folder: Path) -> Engine:
    return create_engine(f"sqlite:///{folder / 'wr.db'}")


def verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return warroom(
        "audit", "verify", "-c", "warroom.toml", "--checkpoints", "lines.txt", cwd=folder
    )


def test_the_console_prints_one_checkpoint_line_per_change_with_its_signature(
    session: Path,
) -> None:
    lines = [line for line in (session / "lines.txt").read_text().splitlines() if "🔏" in line]
    assert lines and all(
        re.search(r"🔏 INC-1 #\d+ · [0-9a-f]{4}…[0-9a-f]{2} · signed", x) for x in lines
    )
    assert all(TOKEN_PREFIX in line for line in lines)
    found = {s.statement.seq for s in documents_in((session / "lines.txt").read_text())}
    assert len(found) >= 4  # opened, contained, resolved, closed
    printed = (session / "lines.txt").read_text()
    last = max(documents_in(printed), key=lambda s: s.statement.seq)
    archived = re.search(r"^\* #\S+ archived$", printed, re.MULTILINE)
    assert archived and printed.rindex("🔏") < archived.start(), "the closing head, then archived"
    assert last.statement.seq == max(e["seq"] for e in tampering.rows(engine_of(session)))


def test_an_untouched_database_verifies_against_the_lines(copy: Path) -> None:
    ran = verify(copy)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.startswith("ok:") and "checkpoint(s)" in ran.stdout


@pytest.mark.parametrize("case", list(tampering.REWRITES))
def test_each_rewrite_of_the_database_is_named(copy: Path, case: str) -> None:
    rewrite, named = tampering.REWRITES[case]
    rewrite(engine_of(copy))
    ran = verify(copy)
    assert ran.returncode == 1, ran.stdout
    assert named in ran.stdout, ran.stdout


def _rewrite_lines(folder: Path, change: Callable[[dict[str, object]], dict[str, object]]) -> None:
    path = folder / "lines.txt"

    def replaced(match: re.Match[str]) -> str:
        document = json.loads(base64.urlsafe_b64decode(match.group(1)))
        new = json.dumps(change(document)).encode()
        return TOKEN_PREFIX + base64.urlsafe_b64encode(new).decode()

    pattern = re.escape(TOKEN_PREFIX) + r"([A-Za-z0-9_=-]+)"
    path.write_text(re.sub(pattern, replaced, path.read_text(), count=1))


def test_a_replaced_signature_is_named(copy: Path) -> None:
    other = base64.b64encode(b"\x01" * 64).decode()
    _rewrite_lines(copy, lambda d: {**d, "signature": other})
    ran = verify(copy)
    assert ran.returncode == 1 and "bad signature" in ran.stdout, ran.stdout


def test_a_checkpoint_from_another_deployment_is_named(copy: Path) -> None:
    entries = tampering.rows(engine_of(copy))
    stranger = Ed25519PrivateKey.generate()
    last = entries[-1]
    signed = sign(stranger, incident="INC-1", seq=last["seq"], head=last["hash"], at=last["at"])
    with (copy / "lines.txt").open("a") as file:
        file.write(json.dumps(signed.document()) + "\n")
    ran = verify(copy)
    assert ran.returncode == 1 and "another deployment's key" in ran.stdout, ran.stdout


def test_keygen_writes_a_private_file_once_and_pubkey_prints_it(tmp_path: Path) -> None:
    made = warroom("audit", "keygen", "--out", "k.pem", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    again = warroom("audit", "keygen", "--out", "k.pem", cwd=tmp_path)
    assert again.returncode == 1 and "not overwriting" in again.stderr
    (tmp_path / "c.toml").write_text('[audit]\nsigning_key_file = "k.pem"\n')
    shown = warroom("audit", "pubkey", "-c", "c.toml", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == made.stdout.split()[2:]


def test_an_org_export_verifies_offline_and_fails_once_changed(copy: Path) -> None:
    exported = warroom("export", "INC-1", "-c", "warroom.toml", "--as-org", "local", cwd=copy)
    assert exported.returncode == 0, exported.stderr
    pubkey = warroom("audit", "pubkey", "-c", "warroom.toml", cwd=copy).stdout.split()[0]
    (copy / "e.json").write_text(exported.stdout)
    ok = warroom("audit", "verify-export", "e.json", "--pubkey", pubkey, cwd=copy)
    assert ok.returncode == 0 and ok.stdout.startswith("ok:"), ok.stdout + ok.stderr
    data = json.loads(exported.stdout)
    note = next(e for e in data["timeline"] if "blocked 203" in e.get("text", ""))
    note["text"] = "blocked nothing"
    (copy / "e.json").write_text(json.dumps(data))
    bad = warroom("audit", "verify-export", "e.json", "--pubkey", pubkey, cwd=copy)
    assert bad.returncode == 1 and f"entry #{note['seq']}: altered" in bad.stdout, bad.stdout


def test_bad_input_gets_one_line_and_changes_nothing(copy: Path) -> None:
    (copy / "empty.txt").write_text("nothing signed here\n")
    before = (copy / "wr.db").read_bytes()
    for args, says in (
        (("audit", "verify", "-c", "warroom.toml", "--checkpoints", "gone.txt"), "cannot be read"),
        (("audit", "verify", "-c", "warroom.toml", "--checkpoints", "empty.txt"), "no signed"),
        (("audit", "verify-export", "empty.txt", "--pubkey", "AAAA"), "not an Ed25519 public"),
    ):
        ran = warroom(*args, cwd=copy)
        assert ran.returncode == 1 and says in ran.stderr, ran.stderr
        assert len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    assert (copy / "wr.db").read_bytes() == before
