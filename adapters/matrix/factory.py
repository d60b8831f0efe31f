"""Builds the Matrix adapter from config; app.py imports this lazily."""

from __future__ import annotations

import os
from pathlib import Path

from warroom.adapters.matrix.adapter import MatrixAdapter, MatrixSettings
from warroom.bot.config import Config, ConfigError, secret
from warroom.bot.directory import OrgDirectory


def settings_from(config: Config) -> MatrixSettings:
    matrix = config.matrix
    if matrix is None:
        raise ConfigError("matrix", "a Matrix org needs a [matrix] section")
    if not matrix.homeserver.startswith(("http://", "https://")):
        raise ConfigError("matrix.homeserver", "must be an http:// or https:// URL")
    if not matrix.user_id.startswith("@") or ":" not in matrix.user_id:
        raise ConfigError("matrix.user_id", "must be a full Matrix id like @warroom:example.org")
    token = (
        secret(matrix.access_token_env, "matrix.access_token_env")
        if (matrix.access_token_env)
        else ""
    )
    password = "" if token else secret(matrix.password_env, "matrix.password_env")
    _check_creatable(matrix.store_dir)
    return MatrixSettings(
        homeserver=matrix.homeserver.rstrip("/"),
        user_id=matrix.user_id,
        password=password,
        access_token=token,
        allowed_servers=matrix.allowed_servers,
        store_dir=matrix.store_dir,
        encrypt_rooms=matrix.encrypt_rooms,
        admins=matrix.admins,
    )


def build_matrix_adapter(config: Config) -> MatrixAdapter:
    return MatrixAdapter(
        settings_from(config), org_of=OrgDirectory(config).org_of, language_of=config.language
    )


def _check_creatable(store_dir: str) -> None:
    """The key store's folder exists, or its nearest existing parent lets us create it."""
    path = Path(store_dir).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if existing == path and not path.is_dir():
        raise ConfigError("matrix.store_dir", f"{store_dir!r} is a file, not a folder")
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError("matrix.store_dir", f"{store_dir!r} cannot be created in {existing}")
