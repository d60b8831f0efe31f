"""the web dashboard: one-time sign-in links and sessions, both stored as SHA-256 hashes;
an index of the organisations' incidents by organisation, for its incident list

Revision ID: 0014_web
Revises: 0013_exercises
Create Date: 2026-12-22 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014_web"
down_revision: str | None = "0013_exercises"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int | None = None) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _moment() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def _who() -> list[sa.Column[str]]:
    return [
        sa.Column("platform", _text(16), nullable=False),
        sa.Column("workspace", _text(255), nullable=False),
        sa.Column("user_id", _text(255), nullable=False),
        sa.Column("display", _text(255), nullable=False),
        sa.Column("org", _text(64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "weblogin",
        sa.Column("token_hash", _text(64), nullable=False),
        *_who(),
        sa.Column("created_at", _moment(), nullable=False),
        sa.Column("expires_at", _moment(), nullable=False),
        sa.Column("used_at", _moment(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "websession",
        sa.Column("token_hash", _text(64), nullable=False),
        sa.Column("csrf", _text(64), nullable=False),
        *_who(),
        sa.Column("created_at", _moment(), nullable=False),
        sa.Column("expires_at", _moment(), nullable=False),
        sa.Column("ended_at", _moment(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("websession", schema=None) as batch_op:
        batch_op.create_index("ix_websession_org", ["org", "ended_at"], unique=False)
    with op.batch_alter_table("incidentorg", schema=None) as batch_op:
        batch_op.create_index("ix_incidentorg_org", ["org", "incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidentorg", schema=None) as batch_op:
        batch_op.drop_index("ix_incidentorg_org")
    with op.batch_alter_table("websession", schema=None) as batch_op:
        batch_op.drop_index("ix_websession_org")
    op.drop_table("websession")
    op.drop_table("weblogin")
