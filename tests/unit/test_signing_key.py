"""The deployment's signing key: from a file, from a variable (PEM or raw base64), or made
once on first start beside the database; a bad one stops start-up naming the key at fault."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from warroom.bot.config import AuditConfig, ConfigError, StorageConfig, parse_config
from warroom.bot.domain.checkpoint import fingerprint, sign
from warroom.bot.runtime.signing_key import (
    GENERATED_NAME,
    SigningKeyError,
    configured,
    generate,
    public_from_text,
    public_text,
)


def storage(tmp_path: Path) -> StorageConfig:
    return StorageConfig(url=f"sqlite:///{tmp_path / 'wr.db'}")


def test_a_key_is_made_once_beside_the_database_and_kept(tmp_path: Path) -> None:
    first = configured(AuditConfig(), storage(tmp_path))
    assert (tmp_path / GENERATED_NAME).stat().st_mode & 0o777 == 0o600
    again = configured(AuditConfig(), storage(tmp_path))
    assert fingerprint(first.public_key()) == fingerprint(again.public_key())


def test_a_variable_may_hold_the_raw_key_in_base64_or_pem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    for value in (base64.b64encode(raw).decode(), pem):
        monkeypatch.setenv("WR_KEY", value)
        found = configured(AuditConfig(signing_key_env="WR_KEY"), storage(tmp_path))
        assert fingerprint(found.public_key()) == fingerprint(key.public_key())
    assert not (tmp_path / GENERATED_NAME).exists()


def test_a_bad_or_missing_key_names_the_key_at_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WR_KEY", "not a key")
    with pytest.raises(ConfigError, match=r"audit\.signing_key_env"):
        configured(AuditConfig(signing_key_env="WR_KEY"), storage(tmp_path))
    monkeypatch.delenv("WR_KEY")
    with pytest.raises(ConfigError, match="is not set"):
        configured(AuditConfig(signing_key_env="WR_KEY"), storage(tmp_path))
    with pytest.raises(ConfigError, match=r"audit\.signing_key_file"):
        configured(AuditConfig(signing_key_file=str(tmp_path / "none.pem")), storage(tmp_path))


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    generate(tmp_path / "k.pem")
    with pytest.raises(SigningKeyError, match="not overwriting"):
        generate(tmp_path / "k.pem")


def test_the_printed_public_key_reads_back_and_verifies(tmp_path: Path) -> None:
    key = generate(tmp_path / "k.pem")
    public = public_from_text(public_text(key.public_key()))
    signed = sign(key, incident="INC-1", seq=3, head="a" * 64, at=_now())
    assert signed.verifies(public)
    with pytest.raises(SigningKeyError):
        public_from_text("nonsense")


def test_the_checkpoint_interval_is_a_duration() -> None:
    assert parse_config({"audit": {"checkpoint_interval": "30m"}}).audit.checkpoint_interval
    with pytest.raises(ConfigError, match=r"audit\.checkpoint_interval"):
        parse_config({"audit": {"checkpoint_interval": "soon"}})


def _now() -> datetime:
    return datetime.now(UTC)
