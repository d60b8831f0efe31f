"""an index of the tasks still to be reminded, by incident and due time

A task added or re-timed asks whether another of the incident's tasks falls due no later
(then the reminder plan stands), and each check of an incident reads when its next task
falls due: both are one seek in this index, however many tasks the incident holds.

Revision ID: 0018_task_waiting
Revises: 0017_timeline_kind
Create Date: 2026-12-03 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_task_waiting"
down_revision: str | None = "0017_timeline_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITS = "done_at IS NULL AND reminded_at IS NULL AND due_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_task_waiting",
        "task",
        ["incident_id", "due_at"],
        unique=False,
        sqlite_where=sa.text(WAITS),
        postgresql_where=sa.text(WAITS),
    )


def downgrade() -> None:
    op.drop_index("ix_task_waiting", table_name="task")
