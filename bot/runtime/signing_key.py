"""The deployment's checkpoint signing key: named by config, or made on first start."""

from __future__ import annotations

import base64
import binascii
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from sqlalchemy.engine import make_url

from warroom.bot.config import AuditConfig, ConfigError, StorageConfig
from warroom.bot.domain.checkpoint import fingerprint, public_bytes

log = logging.getLogger(__name__)
GENERATED_NAME = "checkpoint-signing-key.pem"


class SigningKeyError(Exception):
    """A key file or value that cannot be used: the reason, in one line."""


def generate(out: Path) -> Ed25519PrivateKey:
    """A new key written to `out` as PEM PKCS8, readable by its owner only; never over
    an existing file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningKeyError(f"{out} exists already; not overwriting a signing key") from None
    except OSError as exc:
        raise SigningKeyError(f"{out} cannot be written: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return key


def from_text(text: str, where: str) -> Ed25519PrivateKey:
    """A PEM private key, or the raw 32-byte key in base64."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = load_pem_private_key(text.encode("ascii"), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError):
        raise SigningKeyError(f"{where} does not hold an Ed25519 private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{where} holds a key that is not Ed25519")
    return key


def configured(audit: AuditConfig, storage: StorageConfig) -> Ed25519PrivateKey:
    """The key the config names; else the one made on first start in the data folder
    (made now, and said so, if there is none yet)."""
    if audit.signing_key_env:
        value = os.environ.get(audit.signing_key_env, "")
        if not value:
            raise ConfigError("audit.signing_key_env", f"${audit.signing_key_env} is not set")
        try:
            return from_text(value, f"${audit.signing_key_env}")
        except SigningKeyError as exc:
            raise ConfigError("audit.signing_key_env", str(exc)) from None
    if audit.signing_key_file:
        return _read(Path(audit.signing_key_file), "audit.signing_key_file")
    path = data_dir(audit, storage) / GENERATED_NAME
    if path.exists():
        return _read(path, "audit.data_dir")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        key = generate(path)
    except SigningKeyError:  # made meanwhile by another process on first start
        return _read(path, "audit.data_dir")
    log.warning("no [audit] signing key configured: generated one in %s", path)
    return key


def data_dir(audit: AuditConfig, storage: StorageConfig) -> Path:
    """`[audit] data_dir`, else the SQLite database's folder, else the user's data folder."""
    if audit.data_dir:
        return Path(audit.data_dir)
    url = make_url(storage.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database or ".").resolve().parent
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(home) / "warroom"


def _read(path: Path, key: str) -> Ed25519PrivateKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(key, f"{path} cannot be read: {exc}") from None
    try:
        return from_text(text, str(path))
    except SigningKeyError as exc:
        raise ConfigError(key, str(exc)) from None


def public_text(key: Ed25519PublicKey) -> str:
    """What `warroom audit pubkey` prints: the key in base64, and its fingerprint."""
    return f"{base64.b64encode(public_bytes(key)).decode('ascii')}  {fingerprint(key)}"


def public_from_text(text: str) -> Ed25519PublicKey:
    """A public key as `audit pubkey` prints it (its first word), or a file holding it."""
    word = text.strip().split()[0] if text.strip() else ""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(word, validate=True))
    except (ValueError, binascii.Error):
        raise SigningKeyError(
            "not an Ed25519 public key as `warroom audit pubkey` prints it"
        ) from None
