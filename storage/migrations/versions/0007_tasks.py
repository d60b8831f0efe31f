"""tasks, playbooks applied to incidents, checklist messages

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "playbookrun",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("playbook", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("applied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("applied_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("applied_org", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("incident_id", "playbook"),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tlp", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("said_org", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("owner_kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("owner_role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("owner_scope_org", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("owner_platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("owner_workspace", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("owner_user_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("owner_display", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("done_by_display", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("playbook", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "number"),
        sa.UniqueConstraint("incident_id", "playbook", "step"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_due", ["done_at", "due_at"], unique=False)

    op.create_table(
        "checklistpost",
        sa.Column("room_link_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("shown_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("posted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_link_id"],
            ["roomlink.id"],
        ),
        sa.PrimaryKeyConstraint("room_link_id"),
    )


def downgrade() -> None:
    op.drop_table("checklistpost")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_due")

    op.drop_table("task")
    op.drop_table("playbookrun")
