"""an index of each incident's timeline by kind

Every view of an incident reads its edits (an edit gives the entry it edits its TLP), and the
dashboard's page and live stream do so on each request: without this index that read walks
the incident's whole timeline, milliseconds for a long one.

Revision ID: 0017_timeline_kind
Revises: 0016_search_pending
Create Date: 2026-12-02 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017_timeline_kind"
down_revision: str | None = "0016_search_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("timelineentry") as batch:
        batch.create_index("ix_timeline_kind", ["incident_id", "kind", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timelineentry") as batch:
        batch.drop_index("ix_timeline_kind")
