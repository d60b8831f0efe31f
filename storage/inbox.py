"""The inbox's repository: inbound events stored before their ack, processed from here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from warroom.storage.models import Inbox

# A replay (same platform and event id) is stored once: the unique key decides, in one
# statement, so two replicas receiving the same retry cannot both store it.
_ADD = {
    "postgresql": pg_insert(Inbox).on_conflict_do_nothing().returning(col(Inbox.id)),
    "sqlite": sqlite_insert(Inbox).on_conflict_do_nothing().returning(col(Inbox.id)),
}
_MARK = (
    update(Inbox)
    .where(col(Inbox.id) == bindparam("row"))
    .values(processed_at=bindparam("at"))
    .execution_options(synchronize_session=False)
)


class InboxRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, *, platform: str, event_id: str, kind: str, payload: str, at: datetime
    ) -> int | None:
        """Store an inbound event; its row id, or None when it was stored before."""
        connection = self.session.connection()
        values = {
            "platform": platform,
            "event_id": event_id,
            "kind": kind,
            "payload": payload,
            "received_at": at,
        }
        row = connection.execute(_ADD[connection.dialect.name], values).first()
        return None if row is None else int(row[0] or 0)

    def pending(self, *, after: int = 0, limit: int = 500) -> Sequence[Inbox]:
        """Stored and not processed yet, oldest first."""
        query = (
            select(Inbox)
            .where(col(Inbox.processed_at).is_(None), col(Inbox.id) > after)
            .order_by(col(Inbox.id))
            .limit(limit)
        )
        return self.session.exec(query).all()

    def mark_processed(self, row_id: int, at: datetime) -> None:
        self.session.connection().execute(_MARK, {"row": row_id, "at": at})

    def prune(self, before: datetime) -> int:
        """Forget events processed before `before` (the replay guard keeps their ids)."""
        query = delete(Inbox).where(
            col(Inbox.processed_at).is_not(None), col(Inbox.processed_at) < before
        )
        return int(self.session.connection().execute(query).rowcount)
