"""The schema revision the read-only commands compare against is the migrations' head."""

from __future__ import annotations

from pathlib import Path

from warroom.storage.migrate import current_revision, head_revision, upgrade
from warroom.storage.schema_version import HEAD, stored_revision


def test_the_head_named_in_code_is_the_newest_migration() -> None:
    assert head_revision() == HEAD


def test_the_stored_revision_reads_what_alembic_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    assert stored_revision(url) is None
    upgrade(url, "0016_search_pending")
    assert stored_revision(url) == current_revision(url) == "0016_search_pending"
    upgrade(url)
    assert stored_revision(url) == current_revision(url) == HEAD
