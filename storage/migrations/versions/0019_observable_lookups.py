"""indexes that extraction's lookups seek in, rather than scan

Each batch of found observables asks which of its values the incident holds already, which
of its entries were sighted already (by `ioc add`) and which values other incidents hold
too. The old indexes answered the first by reading all the incident's observables, the
second all its sightings and the third every observable stored: a batch cost more the
longer the incident and the archive grew. By value, and by incident and entry, each is a
seek per value or per entry.

Revision ID: 0019_observable_lookups
Revises: 0018_task_waiting
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019_observable_lookups"
down_revision: str | None = "0018_task_waiting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_observable_value", table_name="observable")
    op.create_index("ix_observable_by_value", "observable", ["value", "incident_id"])
    op.drop_index("ix_observablesighting_incident_id", table_name="observablesighting")
    op.create_index(
        "ix_observablesighting_incident_seq", "observablesighting", ["incident_id", "seq"]
    )


def downgrade() -> None:
    op.drop_index("ix_observablesighting_incident_seq", table_name="observablesighting")
    op.create_index("ix_observablesighting_incident_id", "observablesighting", ["incident_id"])
    op.drop_index("ix_observable_by_value", table_name="observable")
    op.create_index("ix_observable_value", "observable", ["type", "value"])
