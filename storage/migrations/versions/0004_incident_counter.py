"""incident counter

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    counter = op.create_table(
        "counter",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Existing databases continue their numbering from the highest incident.
    incident = sa.table("incident", sa.column("number", sa.Integer()))
    highest = sa.select(sa.func.coalesce(sa.func.max(incident.c.number), 0)).scalar_subquery()
    op.execute(counter.insert().values(name="incident", value=highest))


def downgrade() -> None:
    op.drop_table("counter")
