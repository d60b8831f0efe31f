"""`warroom run` on SQLite: one process, which says so, leads the scheduler, answers health
checks and stops cleanly."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.storage.migrate import upgrade

LISTENING = re.compile(r"serving HTTP on 127\.0\.0\.1:(\d+)")


class Run:
    """`warroom run -v` of a console-only deployment on a free port; its log in `text`."""

    def __init__(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'warroom.db'}"
        upgrade(url)
        config = tmp_path / "warroom.toml"
        config.write_text(
            f'[storage]\nurl = "{url}"\n[http]\nlisten = "127.0.0.1:0"\n'
            f'[console]\nsink = "{tmp_path / "sink.jsonl"}"\n'
            '[[orgs]]\nid = "acme"\nplatform = "console"\n',
            encoding="utf-8",
        )
        self.log = tmp_path / "run.log"
        with open(self.log, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "warroom", "run", "-v", "-c", str(config)], stderr=err
            )

    @property
    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + 20
        while (found := re.search(pattern, self.text)) is None:
            assert self.proc.poll() is None, self.text
            assert time.monotonic() < deadline, self.text
            time.sleep(0.1)
        return found

    def get(self, path: str) -> tuple[int, bytes]:
        port = self.wait_for(LISTENING.pattern).group(1)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    process = Run(tmp_path)
    try:
        yield process
    finally:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def test_sqlite_run_says_it_is_single_process_and_stops_cleanly(run: Run) -> None:
    run.wait_for("now the scheduler leader")
    assert "storage is SQLite: run one warroom process only" in run.text
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=10) == 0, run.text


def test_a_console_only_deployment_answers_health_checks(run: Run) -> None:
    status, body = run.get("/healthz")
    assert status == 200
    assert json.loads(body) == {"ok": True, "adapters": {"console": {"ok": True}}}
    assert run.get("/slack/events")[0] == 404, "no Slack org, no Slack route"
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=10) == 0, run.text
