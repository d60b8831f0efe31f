"""Every config that cannot work stops the CLI with exit code 2 and one line naming the key."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.e2e.test_console_cli import warroom
from warroom.bot.domain.port import Installation
from warroom.storage.installations import InstallationRepo
from warroom.storage.migrate import upgrade
from warroom.storage.store import Store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


MATRIX = """[matrix]
homeserver = "https://hs.example"
user_id = "@w:hs.example"
access_token_env = "WARROOM_TEST_TOKEN"
store_dir = "{tmp}/blocker/store"
[[orgs]]
id = "cert"
platform = "matrix"
workspace = "hs.example"
"""

CASES = {
    "not utf-8": (b'[console]\nuser = "J\xfcrgen"\n', "config.toml: not UTF-8"),
    "huge duration": ('[reminders]\nsev1 = "99999999999d"\n', "reminders.sev1: "),
    "fullwidth duration": ('[reminders]\nsev1 = "３０m"\n', "reminders.sev1: "),
    "bad address": ('[http]\nlisten = "256.1.1.1:8080"\n', "http.listen: "),
    "malformed goal": ('[goals.sev1]\nacknowledge = "soon"\n', "goals.sev1.acknowledge: "),
    "arabic port": ('[http]\nlisten = "127.0.0.1:٨٠"\n', "http.listen: "),
    "missing folder": ('[storage]\nurl = "sqlite:///{tmp}/nowhere/w.db"\n', "storage.url: "),
    "a folder": ('[storage]\nurl = "sqlite:///{tmp}"\n', "storage.url: "),
    "unknown driver": ('[storage]\nurl = "postgresql+nosuch://u@h/db"\n', "storage.url: "),
    "unreachable": (
        '[storage]\nurl = "postgresql+psycopg://u@127.0.0.1:{port}/db"\n'
        '[[orgs]]\nid = "acme"\nplatform = "console"\n',
        "storage.url: cannot reach the database",
    ),
    "store_dir": (MATRIX, "matrix.store_dir: "),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("verb", [("console",), ("run",), ("db", "upgrade")])
def test_a_broken_config_is_one_line_naming_the_key_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, verb: tuple[str, ...]
) -> None:
    content, expected = CASES[case]
    if case == "store_dir" and verb != ("run",):
        pytest.skip("only `warroom run` builds the Matrix adapter")
    (tmp_path / "blocker").write_text("a file where a folder should be")
    config = tmp_path / "config.toml"
    if isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content.format(tmp=tmp_path, port=free_port()), encoding="utf-8")
    monkeypatch.setenv("WARROOM_TEST_TOKEN", "secret")
    done = warroom(*verb, "-c", str(config), cwd=tmp_path, stdin="")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("warroom: config: ") and expected in lines[0]


INSTALLS = """[storage]
url = "sqlite:///{db}"
[http]
listen = "127.0.0.1:{port}"
[slack]
mode = "http"
api_url = "http://127.0.0.1:9/api/"
signing_secret_env = "E2E_SLACK_SECRET"
client_id_env = "E2E_SLACK_CLIENT_ID"
client_secret_env = "E2E_SLACK_CLIENT_SECRET"
token_key_env = "E2E_SLACK_TOKEN_KEY"
[[orgs]]
id = "acme"
platform = "slack"
workspace = "T0ACME"
"""
SQLITE_NOTICE = "storage is SQLite: run one warroom process only"
KEY_NOTICE = "no [audit] signing key configured"  # the first start makes one


def installed_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None) -> list[str]:
    """`warroom run` over a database holding T0ACME's installation, sealed with one key,
    started with `key` (None: its variable unset); the lines it printed but SQLite's notice."""
    db = tmp_path / "w.db"
    upgrade(f"sqlite:///{db}")
    store = Store(f"sqlite:///{db}")
    sealed = Fernet(Fernet.generate_key()).encrypt(b'{"bot_token": "xoxb-1"}').decode()
    row = Installation("slack", "T0ACME", sealed, datetime.now(UTC))
    store.transaction_sync(lambda uow: InstallationRepo(uow.session).save(row))
    store.close()
    config = tmp_path / "config.toml"
    config.write_text(INSTALLS.format(db=db, port=free_port()), encoding="utf-8")
    for name in ("E2E_SLACK_SECRET", "E2E_SLACK_CLIENT_ID", "E2E_SLACK_CLIENT_SECRET"):
        monkeypatch.setenv(name, "set")
    if key is None:
        monkeypatch.delenv("E2E_SLACK_TOKEN_KEY", raising=False)
    else:
        monkeypatch.setenv("E2E_SLACK_TOKEN_KEY", key)
    done = warroom("run", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    return [line for line in lines if SQLITE_NOTICE not in line and KEY_NOTICE not in line]


def test_run_with_a_key_that_cannot_open_the_stored_tokens_stops_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (line,) = installed_run(tmp_path, monkeypatch, Fernet.generate_key().decode())
    assert line.startswith("warroom: config: slack.token_key_env: the key does not decrypt")
    assert "workspace T0ACME" in line


@pytest.mark.parametrize(("key", "problem"), [(None, "is empty"), ("xyz", "not a Fernet key")])
def test_run_without_a_usable_token_key_stops_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None, problem: str
) -> None:
    (line,) = installed_run(tmp_path, monkeypatch, key)
    assert line.startswith("warroom: config: slack.token_key_env: ") and problem in line
