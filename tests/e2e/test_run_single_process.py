"""`warroom run` on SQLite: one process, which says so, leads the scheduler and stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from warroom.storage.migrate import upgrade


def test_sqlite_run_says_it_is_single_process_and_stops_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    upgrade(url)
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[storage]\nurl = "{url}"\n[console]\nsink = "{tmp_path / "sink.jsonl"}"\n'
        '[[orgs]]\nid = "acme"\nplatform = "console"\n',
        encoding="utf-8",
    )
    log = tmp_path / "run.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "warroom", "run", "-v", "-c", str(config)], stderr=err
        )
    try:
        deadline = time.monotonic() + 20
        while "now the scheduler leader" not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert "storage is SQLite: run one warroom process only" in log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
