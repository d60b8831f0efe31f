"""signed checkpoints of chain heads; the hash version of each timeline entry

Revision ID: 0015_checkpoints
Revises: 0014_web
Create Date: 2026-12-02 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_checkpoints"
down_revision: str | None = "0014_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # entries stored before keep verifying under the canonical form they were hashed with
    with op.batch_alter_table("timelineentry") as batch:
        batch.add_column(
            sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("incident_key", _text(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", _text(64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("key_fingerprint", _text(64), nullable=False),
        sa.Column("statement", _text(), nullable=False),
        sa.Column("signature", _text(128), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checkpoint_incident", "checkpoint", ["incident_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_checkpoint_incident", table_name="checkpoint")
    op.drop_table("checkpoint")
    with op.batch_alter_table("timelineentry") as batch:
        batch.drop_column("hash_version")
