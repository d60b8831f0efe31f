"""post-incident reviews, their lessons, and follow-ups

Revision ID: 0009_reviews_followups
Revises: 0008
Create Date: 2026-12-20 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_reviews_followups"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _moment() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", _moment(), nullable=False),
        sa.Column("drafted_by", _text(255), nullable=False),
        sa.Column("final_at", _moment(), nullable=True),
        sa.Column("final_by", _text(255), nullable=False),
        sa.Column("final_by_display", _text(255), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )
    op.create_table(
        "lesson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", _text(8), nullable=False),
        sa.Column("text", _text(), nullable=False),
        sa.Column("tlp", _text(16), nullable=False),
        sa.Column("said_org", _text(64), nullable=False),
        sa.Column("said_by", _text(255), nullable=False),
        sa.Column("said_by_display", _text(255), nullable=False),
        sa.Column("said_at", _moment(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "number"),
    )
    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", _text(), nullable=False),
        sa.Column("tlp", _text(16), nullable=False),
        sa.Column("said_org", _text(64), nullable=False),
        sa.Column("owner_platform", _text(16), nullable=False),
        sa.Column("owner_workspace", _text(255), nullable=False),
        sa.Column("owner_user_id", _text(255), nullable=False),
        sa.Column("owner_display", _text(255), nullable=False),
        sa.Column("owner_org", _text(64), nullable=False),
        sa.Column("owner_as", _text(96), nullable=False),
        sa.Column("due_at", _moment(), nullable=True),
        sa.Column("done_at", _moment(), nullable=True),
        sa.Column("done_by", _text(255), nullable=False),
        sa.Column("done_by_display", _text(255), nullable=False),
        sa.Column("reminded_at", _moment(), nullable=True),
        sa.Column("created_at", _moment(), nullable=False),
        sa.Column("created_by", _text(255), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "number"),
    )
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followup_due", ["reminded_at", "done_at", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index("ix_followup_due")
    op.drop_table("followup")
    op.drop_table("lesson")
    op.drop_table("review")
