"""Installed tokens encrypted at rest with Fernet (MultiFernet: several keys, newest first,
so a key can be rotated without reinstalling every workspace)."""

from __future__ import annotations

import binascii
from collections.abc import Callable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# How a key that cannot open a stored token stops start-up: the factory makes it a
# ConfigError naming the key's config entry.
WrongKey = Callable[[str], Exception]


class BadKey(ValueError):
    """The key text is not a Fernet key (32 url-safe base64-encoded bytes)."""


class Sealer:
    def __init__(self, keys: Sequence[str], *, wrong_key: WrongKey) -> None:
        if not keys:
            raise BadKey("no key given")
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except (ValueError, binascii.Error):
            raise BadKey(
                'not a Fernet key (generate one with `python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())"`)'
            ) from None
        self._wrong_key = wrong_key

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def open(self, sealed: str, *, workspace: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise self._wrong_key(
                f"the key does not decrypt the stored token of Slack workspace {workspace} "
                "(a wrong key, or the key it was sealed with was dropped)"
            ) from None


def split_keys(text: str) -> list[str]:
    """`KEY` or `NEWKEY,OLDKEY`: the first seals, every one opens."""
    return [key for key in (part.strip() for part in text.split(",")) if key]
