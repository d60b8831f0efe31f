"""what the bot said on the timeline, as a catalog phrase each reader gets in their language

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-16 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Entries written before keep "" and their hashes: the chain covers a phrase only where
    # there is one (storage/chain.py).
    with op.batch_alter_table("timelineentry") as table:
        table.add_column(
            sa.Column(
                "phrase", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("timelineentry") as table:
        table.drop_column("phrase")
