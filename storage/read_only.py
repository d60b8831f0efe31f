"""The store for commands run beside the bot (`export`, `report`, `audit verify`): they never
change the schema, so one that is missing or older is reported, not upgraded. Apart from the
composition root, so that such a command imports no more than its own path needs."""

from __future__ import annotations

from warroom.storage.schema_version import HEAD, stored_revision
from warroom.storage.store import Store


class SchemaNotCurrent(Exception):
    """The database is not at this release's schema, and this command does not change it."""


def read_only_store(url: str) -> Store:
    """For a command that only reads: on SQLite its transactions take no write lock, so a
    long one (a year's report, a million entries verified) never holds up the running bot."""
    _check(url)
    return Store(url, read_only=True)


def recording_store(url: str) -> Store:
    """For a command that reads and records what it did (a STIX or MISP export goes on the
    timeline with its hash)."""
    _check(url)
    return Store(url)


def _check(url: str) -> None:
    found, wanted = stored_revision(url), HEAD
    if found != wanted:
        state = f"at revision {found}" if found else "empty"
        raise SchemaNotCurrent(
            f"the database is {state}, not at this release's schema ({wanted}): "
            "run `warroom db upgrade` first"
        )
