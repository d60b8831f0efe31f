"""the archive's GIN index on PostgreSQL writes straight into the index

With GIN's default `fastupdate`, new entries wait in the index's pending list until a vacuum
merges it, and every search scans that list in full: after a busy day a search costs tens of
milliseconds more. Written straight into the index, an insert costs a little more and a search
stays fast. SQLite's FTS5 index has no such list; nothing changes there.

Revision ID: 0016_search_pending
Revises: 0015_checkpoints
Create Date: 2026-12-02 07:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from warroom.storage.search_index import TERMS

revision: str = "0016_search_pending"
down_revision: str | None = "0015_checkpoints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = f"ix_{TERMS}_terms"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    op.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")  # what waits already


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")
