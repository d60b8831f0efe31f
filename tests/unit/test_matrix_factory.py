"""The Matrix adapter's config and its place in the wiring (no network)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warroom.adapters.matrix.factory import build_matrix_adapter, settings_from
from warroom.bot.config import ConfigError, parse_config

RAW = {
    "matrix": {
        "homeserver": "https://matrix.cert.example/",
        "user_id": "@warroom:cert.example",
        "password_env": "WARROOM_TEST_MX_PASSWORD",
        "allowed_servers": ["cert.example"],
    },
    "orgs": [{"id": "cert", "platform": "matrix", "workspace": "cert.example"}],
}


def test_settings_come_from_config_and_the_named_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_TEST_MX_PASSWORD", "s3cret")
    settings = settings_from(parse_config(RAW))
    assert settings.homeserver == "https://matrix.cert.example"
    assert settings.password == "s3cret"
    assert settings.server_name == "cert.example"
    assert settings.encrypt_rooms is True


def test_a_missing_secret_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARROOM_TEST_MX_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match=r"matrix\.password_env"):
        build_matrix_adapter(parse_config(RAW))


def test_a_bad_user_id_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_TEST_MX_PASSWORD", "s3cret")
    raw = {**RAW, "matrix": {**RAW["matrix"], "user_id": "warroom"}}
    with pytest.raises(ConfigError, match=r"matrix\.user_id"):
        build_matrix_adapter(parse_config(raw))


def test_users_map_to_orgs_by_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_TEST_MX_PASSWORD", "s3cret")
    adapter = build_matrix_adapter(parse_config(RAW))
    user = adapter.parse_user("@carol", workspace="cert.example")
    assert user is not None and user.user_id == "@carol:cert.example"
    assert adapter.org_of(user) == "cert"
    assert adapter.parse_user("carol", workspace="cert.example") is None


def test_the_core_never_imports_nio() -> None:
    modules = "warroom.bot.app, warroom.bot.cli, warroom.commands"
    code = f"import sys, {modules}; print('nio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_only_admins_may_manage_devices() -> None:
    from warroom.adapters.matrix.devices import DeviceAdmin

    answer = DeviceAdmin(None, admins=("@root:hs",)).answer(  # type: ignore[arg-type]
        "!r", "@mallory:hs", "!warroom verify @mallory:hs EVIL"
    )
    assert answer.body.startswith("⚠ not allowed")
