"""observables found in incidents, where each was said, and how far extraction has read

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-20 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString
_time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "observable",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("type", _text(length=16), nullable=False),
        sa.Column("value", _text(length=2048), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", _time(), nullable=False),
        sa.Column("last_seen_at", _time(), nullable=False),
        sa.Column("source_org", _text(length=64), nullable=False),
        sa.Column("tlp", _text(length=16), nullable=False),
        sa.Column("tlp_floor", _text(length=16), nullable=False),
        sa.Column("pap", _text(length=16), nullable=False),
        sa.Column("status", _text(length=16), nullable=False),
        sa.Column("note", _text(), nullable=False),
        sa.Column("told_orgs", _text(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "type", "value"),
    )
    with op.batch_alter_table("observable", schema=None) as batch_op:
        batch_op.create_index("ix_observable_value", ["type", "value"], unique=False)

    op.create_table(
        "observablesighting",
        sa.Column("observable_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("org", _text(length=64), nullable=False),
        sa.Column("tlp", _text(length=16), nullable=False),
        sa.Column("at", _time(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.ForeignKeyConstraint(["observable_id"], ["observable.id"]),
        sa.PrimaryKeyConstraint("observable_id", "seq"),
    )
    with op.batch_alter_table("observablesighting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observablesighting_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "intelcursor",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("scanned_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id"),
    )


def downgrade() -> None:
    op.drop_table("intelcursor")
    with op.batch_alter_table("observablesighting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observablesighting_incident_id"))
    op.drop_table("observablesighting")
    with op.batch_alter_table("observable", schema=None) as batch_op:
        batch_op.drop_index("ix_observable_value")
    op.drop_table("observable")
