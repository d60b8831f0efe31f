"""the archive's full-text index, filled with what is already stored

Revision ID: 0010_search
Revises: 0008
Create Date: 2026-12-20 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session, col, select

from warroom.storage.models import Incident, TimelineEntry
from warroom.storage.search_index import TERMS, backfill_rows, write_rows

revision: str = "0010_search"
down_revision: str | None = "0009_reviews_followups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 200  # incidents indexed per round: bounded memory on a large archive
# the columns as of this revision (a later one may add more to the model)
STORED = (
    col(TimelineEntry.incident_id),
    col(TimelineEntry.seq),
    col(TimelineEntry.at),
    col(TimelineEntry.kind),
    col(TimelineEntry.actor_org),
    col(TimelineEntry.text),
    col(TimelineEntry.tlp),
)


def upgrade() -> None:
    op.create_table(
        "searchentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("follows", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("org", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("tlp", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "seq"),
    )
    with op.batch_alter_table("searchentry", schema=None) as batch_op:
        batch_op.create_index("ix_searchentry_follows", ["incident_id", "follows"], unique=False)
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        # contentless: the words are only indexed; what is shown comes from the timeline
        op.execute(
            f"CREATE VIRTUAL TABLE {TERMS} USING fts5("
            "title, body, content='', tokenize='unicode61 remove_diacritics 0')"
        )
        # how many texts hold a word: the suggestions at `open` skip the common ones
        op.execute(f"CREATE VIRTUAL TABLE {TERMS}_vocab USING fts5vocab({TERMS}, row)")
    else:
        op.execute(
            f"CREATE TABLE {TERMS} (id integer PRIMARY KEY REFERENCES searchentry (id), "
            "terms tsvector NOT NULL)"
        )
        op.execute(f"CREATE INDEX ix_{TERMS}_terms ON {TERMS} USING gin (terms)")
    _backfill(connection)


def _backfill(connection: sa.Connection) -> None:
    session = Session(bind=connection)
    ids = list(session.exec(select(Incident.id).order_by(col(Incident.id))))
    for start in range(0, len(ids), BATCH):
        batch = [i for i in ids[start : start + BATCH] if i is not None]
        named = select(Incident.id, Incident.title).where(col(Incident.id).in_(batch))
        titles = {incident_id: title for incident_id, title in session.exec(named)}
        entries = session.exec(
            select(*STORED)
            .where(col(TimelineEntry.incident_id).in_(batch))
            .order_by(col(TimelineEntry.incident_id), col(TimelineEntry.seq))
        )
        write_rows(connection, backfill_rows(entries, titles))
        session.expunge_all()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE {TERMS}_vocab")
    op.execute(f"DROP TABLE {TERMS}")
    with op.batch_alter_table("searchentry", schema=None) as batch_op:
        batch_op.drop_index("ix_searchentry_follows")
    op.drop_table("searchentry")
