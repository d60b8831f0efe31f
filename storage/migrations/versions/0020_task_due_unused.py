"""drop the index of tasks by done and due time, which no query reads

Every read of due tasks names its incidents and is served by `ix_task_waiting`; this index
was only kept up to date, by every task added, ticked off or re-timed.

Revision ID: 0020_task_due_unused
Revises: 0019_observable_lookups
Create Date: 2026-12-04 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020_task_due_unused"
down_revision: str | None = "0019_observable_lookups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_task_due", table_name="task")


def downgrade() -> None:
    op.create_index("ix_task_due", "task", ["done_at", "due_at"], unique=False)
