"""The CLI as a user runs it: `warroom console` fed a script, then export and audit."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from warroom.storage.migrate import head_revision

SCENARIO = """\
/incident open "Customer DB credentials leaked" --sev 1 --tlp amber
/incident note rotated the leaked key
we see logins from 203.0.113.9
/incident invite @bob
:as bob
/incident note bob here: blocking the IP
:as alice
/incident role scribe @bob
/incident update "attacker blocked" --state contained
/incident sev 7
/incident resolve "keys rotated, access revoked"
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


def write_config(folder: Path) -> Path:
    config = folder / "warroom.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{folder / "wr.db"}"\n')
    return config


def test_a_scripted_console_session_ends_in_a_complete_export(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    session = warroom(
        "console",
        "-c",
        str(config),
        "--user",
        "alice",
        "--org",
        "acme",
        cwd=tmp_path,
        stdin=SCENARIO,
    )
    assert session.returncode == 0, session.stderr
    assert "you are now in #inc-1-customer-db-credentials-leaked" in session.stdout
    assert "(only alice) ⚠ LEVEL must be 1 to 4" in session.stdout
    assert "Traceback" not in session.stdout + session.stderr

    exported = warroom("export", "INC-1", "--format", "json", "-c", str(config), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert {k: data[k] for k in ("key", "title", "severity", "state", "tlp", "exercise")} == {
        "key": "INC-1",
        "title": "Customer DB credentials leaked",
        "severity": 1,
        "state": "closed",
        "tlp": "AMBER",
        "exercise": False,
    }
    assert data["orgs"] == ["acme"]
    assert data["rooms"] == [
        {
            "org": "acme",
            "platform": "console",
            "workspace": "console",
            "room_id": "inc-1-customer-db-credentials-leaked",
        }
    ]
    assert data["roles"]["commander"] == {
        "platform": "console",
        "user_id": "alice",
        "org": "acme",
        "display": "alice",
    }
    assert data["roles"]["scribe"]["user_id"] == "bob"
    assert [p["user_id"] for p in data["participants"]] == ["alice", "bob"]
    kinds = [e["kind"] for e in data["timeline"]]
    assert kinds == [
        "opened",
        "role",
        "note",
        "message",
        "invite",
        "note",
        "role",
        "update",
        "state",
        "resolved",
        "closed",
    ]
    assert data["timeline"][5]["actor"] == {
        "platform": "console",
        "user_id": "bob",
        "org": "acme",
        "display": "bob",
    }
    assert all(e["at"].endswith("Z") and len(e["hash"]) == 64 for e in data["timeline"])
    assert set(data["metrics"]) == {
        "time_to_acknowledge_s",
        "time_to_contain_s",
        "time_to_resolve_s",
        "tasks_done",
        "tasks_total",
        "tasks_overdue",
    }
    assert data["closed_at"] and data["resolved_at"] and data["opened_at"].endswith("Z")

    report = warroom("export", "INC-1", "--format", "md", "-c", str(config), cwd=tmp_path)
    assert report.returncode == 0
    for part in (
        "# INC-1: Customer DB credentials leaked",
        "## Metrics",
        "## Roles and handovers",
        "## Timeline",
        "rotated the leaked key",
    ):
        assert part in report.stdout

    verified = warroom("audit", "verify", "-c", str(config), cwd=tmp_path)
    assert verified.returncode == 0 and "ok: 11 timeline entries verified" in verified.stdout


def test_audit_verify_fails_naming_the_entry_altered_behind_the_bots_back(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    warroom(
        "console",
        "-c",
        str(config),
        "--user",
        "alice",
        cwd=tmp_path,
        stdin='/incident open "x"\n/incident note original\n',
    )
    with sqlite3.connect(tmp_path / "wr.db") as db:
        db.execute("UPDATE timelineentry SET text = 'forged' WHERE seq = 3")
    verified = warroom("audit", "verify", "-c", str(config), cwd=tmp_path)
    assert verified.returncode == 1
    assert "TAMPERED INC-1 entry #3: altered" in verified.stdout
    one = warroom("audit", "verify", "INC-1", "-c", str(config), cwd=tmp_path)
    assert one.returncode == 1


def test_cli_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert warroom("db", "upgrade", "-c", str(config), cwd=tmp_path).returncode == 0
    missing = warroom("export", "INC-9", "-c", str(config), cwd=tmp_path)
    assert (
        missing.returncode == 1 and missing.stderr.strip() == "warroom: there is no incident INC-9"
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[[orgs]]\nid = "a"\nplatform = "irc"\n')
    refused = warroom("console", "-c", str(bad), cwd=tmp_path, stdin="")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "warroom: config: orgs[0].platform: must be one of slack, matrix, console"
    )


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    upgraded = warroom("db", "upgrade", "-c", str(config), cwd=tmp_path)
    assert upgraded.returncode == 0 and "schema at revision" in upgraded.stdout
    with sqlite3.connect(tmp_path / "wr.db") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"incident", "timelineentry", "outbox", "processedevent"} <= tables


def test_the_default_needs_no_config(tmp_path: Path) -> None:
    session = warroom(
        "console",
        "--user",
        "alice",
        cwd=tmp_path,
        stdin='/incident open "first run"\n/incident status\n',
    )
    assert session.returncode == 0, session.stderr
    assert "INC-1: first run" in session.stdout
    assert (tmp_path / "warroom.db").exists()


def read_until(stream, needle: str, deadline: float) -> str:
    seen = ""
    while needle not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {needle!r}; saw {seen!r}")
        line = stream.readline()
        if not line:
            raise AssertionError(f"process ended before {needle!r}; saw {seen!r}")
        seen += line
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_process_loses_nothing_it_acknowledged(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "warroom", "console", "-c", str(config), "--user", "alice"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdin and proc.stdout
    deadline = time.monotonic() + 30
    proc.stdin.write('/incident open "crash test" --sev 2\n')
    proc.stdin.flush()
    read_until(proc.stdout, "Opened INC-1", deadline)
    for n in range(20):
        proc.stdin.write(f"/incident note acknowledged {n}\n")
        proc.stdin.flush()
        read_until(proc.stdout, f"): acknowledged {n}", deadline)
    proc.stdin.write("/incident note maybe-in-flight\n")
    proc.stdin.flush()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    again = warroom(
        "console",
        "-c",
        str(config),
        "--user",
        "alice",
        cwd=tmp_path,
        stdin=":room inc-1-crash-test\n/incident note after restart\n",
    )
    assert again.returncode == 0, again.stderr
    data = json.loads(warroom("export", "INC-1", "-c", str(config), cwd=tmp_path).stdout)
    texts = [e["text"] for e in data["timeline"]]
    for n in range(20):
        assert texts.count(f"acknowledged {n}") == 1
    assert texts[-1] == "after restart"
    assert [e["seq"] for e in data["timeline"]] == list(range(1, len(texts) + 1))
    verified = warroom("audit", "verify", "-c", str(config), cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout


@pytest.mark.parametrize("command", [("export", "INC-1"), ("audit", "verify")])
def test_read_only_commands_never_change_the_schema(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    config = write_config(tmp_path)
    done = warroom(*command, "-c", str(config), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"warroom: the database is empty, not at this release's schema ({head_revision()}): "
        "run `warroom db upgrade` first"
    ]
    database = tmp_path / "wr.db"
    tables = sqlite3.connect(database).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == []


def test_the_console_plays_replies_reactions_edits_and_deletions(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "warroom", "console", "-c", str(config), "--user", "alice"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdin and proc.stdout
    deadline = time.monotonic() + 30

    def typed(line: str, needle: str) -> str:
        assert proc.stdin and proc.stdout
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        return read_until(proc.stdout, needle, deadline)

    typed('/incident open "played events" --sev 2', "Opened INC-1")
    seen = typed("we see logins from 203.0.113.9", ": we see logins from 203.0.113.9")
    said = int(re.findall(r"^\[(\d+)\] #inc-1-played-events alice@", seen, re.M)[-1])
    seen = typed(f":reply {said} blocked at the edge", f"(reply to [{said}]): blocked at the edge")
    reply = int(re.findall(r"^\[(\d+)\] .*blocked at the edge$", seen, re.M)[-1])
    typed(f":react {said} 📌", f"* [{said}] alice@local reacted 📌")
    typed(f":edit {said} we see logins from 203.0.113.9 and .10", f"* [{said}] edited: we see")
    typed(f":delete {reply}", f"* [{reply}] deleted")
    typed(":edit 999 x", "⚠ :edit: there is no message [999]")
    _, errors = proc.communicate(timeout=30)
    assert proc.returncode == 0, errors
    assert "Traceback" not in errors

    data = json.loads(warroom("export", "INC-1", "-c", str(config), cwd=tmp_path).stdout)
    entries = [(e["kind"], e["text"]) for e in data["timeline"]][-5:]
    assert entries == [
        ("message", "we see logins from 203.0.113.9"),
        ("message", "blocked at the edge"),
        ("pinned", "📌 #3 alice: we see logins from 203.0.113.9"),
        ("edited", "edited #3: we see logins from 203.0.113.9 and .10"),
        ("deleted", "removed a message of alice (#4) from the chat"),
    ]
    verified = warroom("audit", "verify", "-c", str(config), cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
