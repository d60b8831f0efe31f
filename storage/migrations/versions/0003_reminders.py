"""reminder state and digest cursors

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminderstate",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("anchor_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_slot", sa.Integer(), nullable=False),
        sa.Column("escalated_slot", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("next_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("scheduled_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )
    with op.batch_alter_table("reminderstate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminderstate_next_due_at"), ["next_due_at"], unique=False
        )
    op.create_table(
        "digestcursor",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("org", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_state", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("digested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id", "org"),
    )


def downgrade() -> None:
    op.drop_table("digestcursor")
    with op.batch_alter_table("reminderstate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminderstate_next_due_at"))
    op.drop_table("reminderstate")
