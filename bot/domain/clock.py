"""Time as the bot sees it: real in production, controllable in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC, as SQLModel's UTCDateTime columns store and return it."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def iso(at: datetime | None) -> str | None:
    """A time as the exports write it: ISO 8601, UTC as `Z`."""
    return at.isoformat().replace("+00:00", "Z") if at else None
