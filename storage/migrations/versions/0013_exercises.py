"""tabletop exercises: runs, their injects and expectations

Revision ID: 0013_exercises
Revises: 0009_reviews_followups
Create Date: 2026-12-21 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_exercises"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _moment() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "exerciserun",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("scenario", _text(64), nullable=False),
        sa.Column("script", _text(), nullable=False),
        sa.Column("parts", _text(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("started_at", _moment(), nullable=False),
        sa.Column("paused_at", _moment(), nullable=True),
        sa.Column("ended_at", _moment(), nullable=True),
        sa.Column("hotwash_at", _moment(), nullable=True),
        sa.Column("next_at", _moment(), nullable=True),
        sa.Column("facilitator_platform", _text(16), nullable=False),
        sa.Column("facilitator_workspace", _text(255), nullable=False),
        sa.Column("facilitator_user_id", _text(255), nullable=False),
        sa.Column("facilitator_display", _text(255), nullable=False),
        sa.Column("facilitator_org", _text(64), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )
    with op.batch_alter_table("exerciserun", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exerciserun_next", ["ended_at", "paused_at", "next_at"], unique=False
        )
    op.create_table(
        "exerciseinject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("inject_id", _text(32), nullable=False),
        sa.Column("due_at", _moment(), nullable=True),
        sa.Column("sent_at", _moment(), nullable=True),
        sa.Column("state", _text(8), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "inject_id"),
    )
    op.create_table(
        "exerciseexpectation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("expectation_id", _text(32), nullable=False),
        sa.Column("opens_at", _moment(), nullable=True),
        sa.Column("closes_at", _moment(), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=True),
        sa.Column("decided_at", _moment(), nullable=True),
        sa.Column("actor", _text(255), nullable=False),
        sa.Column("actor_org", _text(64), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "expectation_id"),
    )


def downgrade() -> None:
    op.drop_table("exerciseexpectation")
    op.drop_table("exerciseinject")
    with op.batch_alter_table("exerciserun", schema=None) as batch_op:
        batch_op.drop_index("ix_exerciserun_next")
    op.drop_table("exerciserun")
