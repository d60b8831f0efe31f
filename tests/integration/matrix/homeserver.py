"""A throwaway Synapse on 127.0.0.1: config, start, wait, register users, stop.

Shared by the Matrix test fixtures and `bench/matrix.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVER_NAME = "localhost"
RELAXED = {"per_second": 10000, "burst_count": 10000}
RATE_LIMITS = (
    "rc_message",
    "rc_registration",
    "rc_admin_redaction",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)
NESTED_LIMITS = {
    "rc_login": ("address", "account", "failed_attempts"),
    "rc_joins": ("local", "remote"),
    "rc_invites": ("per_room", "per_user", "per_issuer"),
    "rc_presence": ("per_user",),
}


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def synapse_config(
    directory: Path, port: int, secret: str, *, message_limit: dict[str, float] | None = None
) -> dict[str, Any]:
    """Synapse's YAML as a dict (JSON is valid YAML): SQLite, loopback, relaxed limits."""
    config: dict[str, Any] = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": secret,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "federation_domain_whitelist": [],
    }
    for key in RATE_LIMITS:
        config[key] = dict(RELAXED)
    for key, parts in NESTED_LIMITS.items():
        config[key] = {part: dict(RELAXED) for part in parts}
    if message_limit is not None:
        config["rc_message"] = message_limit
    return config


class Homeserver:
    """One Synapse process; `start()` returns once its client API answers."""

    def __init__(self, directory: Path, *, message_limit: dict[str, float] | None = None) -> None:
        self.directory = directory
        self.port = free_port()
        self.secret = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        self.config_path = directory / "homeserver.yaml"
        config = synapse_config(directory, self.port, self.secret, message_limit=message_limit)
        self.config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        self._write_signing_key()

    def _write_signing_key(self) -> None:
        from signedjson.key import generate_signing_key, write_signing_keys

        with open(self.directory / "signing.key", "w", encoding="utf-8") as out:
            write_signing_keys(out, [generate_signing_key("a_test")])

    def start(self, *, wait_s: float = 60.0) -> None:
        log = open(self.directory / "homeserver.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
            cwd=self.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"synapse exited; see {self.directory / 'homeserver.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("synapse did not answer in time")

    def stop(self) -> None:
        """Stop Synapse by its pid and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def register(self, localpart: str, *, admin: bool = False) -> Account:
        """A user, through Synapse's shared-secret registration admin API."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        with urllib.request.urlopen(endpoint, timeout=10) as response:
            nonce = json.load(response)["nonce"]
        password = secrets.token_urlsafe(12)
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": _mac(self.secret, nonce, localpart, password, admin),
        }
        request = urllib.request.Request(
            endpoint,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            user_id = json.load(response)["user_id"]
        return Account(user_id, password)


def _mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    mac.update(b"\x00".join([nonce.encode(), user.encode(), password.encode()]))
    mac.update(b"\x00" + (b"admin" if admin else b"notadmin"))
    return mac.hexdigest()
