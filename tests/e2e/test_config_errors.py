"""Every config that cannot work stops the CLI with exit code 2 and one line naming the key."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.e2e.test_console_cli import warroom


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
