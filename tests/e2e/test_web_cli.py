"""`warroom web` as operators run it: the dashboard served alone, links printed by `web
link`, sessions ended by `web logout-all`, bad input in one line (the console's `dashboard`
link is signed in with in tests/integration/web/test_web_browser.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.test_console_cli import warroom

CONFIG = """[storage]
url = "sqlite:///{db}"
[http]
listen = "127.0.0.1:{port}"
[[orgs]]
id = "acme"
platform = "console"
"""
LINK = re.compile(r"http://\S+/login/[A-Za-z0-9_-]+")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def status_of(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Set-Cookie", "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dashboard_alone(config: Path, cwd: Path) -> Iterator[None]:
    served = subprocess.Popen(
        [sys.executable, "-m", "warroom", "web", "-c", str(config)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert served.stdout is not None
        line = served.stdout.readline()
        assert line.startswith("warroom dashboard on http://127.0.0.1:"), line
        yield
    finally:
        served.terminate()
        assert served.wait(timeout=20) == 0


def test_the_dashboard_alone_signs_in_once_and_logout_all_ends_sessions(
    tmp_path: Path,
) -> None:
    port = free_port()
    config = tmp_path / "warroom.toml"
    config.write_text(CONFIG.format(db=tmp_path / "w.db", port=port), encoding="utf-8")
    links = []
    for user in ("alice", "bob"):
        printed = warroom("web", "link", "--user", user, "--org", "acme", "-c", str(config),
                          cwd=tmp_path)  # fmt: skip
        assert printed.returncode == 0, printed.stderr
        links.append(LINK.fullmatch(printed.stdout.strip()))
    alice_link, operator_link = links
    assert alice_link and operator_link
    with dashboard_alone(config, tmp_path):
        status, cookie = status_of(alice_link.group(0))
        assert status == 303 and "HttpOnly" in cookie
        assert status_of(f"http://127.0.0.1:{port}/", cookie.split(";")[0])[0] == 200
        assert status_of(alice_link.group(0))[0] == 404  # once only
        ended = warroom("web", "logout-all", "--org", "acme", "-c", str(config), cwd=tmp_path)
        assert ended.stdout.strip() == "ended 1 dashboard session"
        assert status_of(f"http://127.0.0.1:{port}/", cookie.split(";")[0])[0] == 401
        assert status_of(operator_link.group(0))[0] == 303  # links are not sessions


def test_a_link_for_an_unknown_org_is_refused_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "warroom.toml"
    config.write_text(CONFIG.format(db=tmp_path / "w.db", port=0), encoding="utf-8")
    refused = warroom("web", "link", "--user", "x", "--org", "nope", "-c", str(config),
                      cwd=tmp_path)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr == "warroom: --org: unknown org 'nope'\n"
