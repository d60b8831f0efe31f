"""The store for commands that only read (`export`, `report`, `audit verify`): they never
change the schema, so one that is missing or older is reported, not upgraded. Apart from the
composition root, so that such a command imports no more than its own path needs."""

from __future__ import annotations

from warroom.storage.schema_version import HEAD, stored_revision
from warroom.storage.store import Store


class SchemaNotCurrent(Exception):
    """The database is not at this release's schema, and this command does not change it."""


def read_only_store(url: str) -> Store:
    found, wanted = stored_revision(url), HEAD
    if found != wanted:
        state = f"at revision {found}" if found else "empty"
        raise SchemaNotCurrent(
            f"the database is {state}, not at this release's schema ({wanted}): "
            "run `warroom db upgrade` first"
        )
    return Store(url)
