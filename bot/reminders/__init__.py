"""Status reminders, escalation, digests, and the leader that runs their scheduler."""

from __future__ import annotations

from warroom.bot.reminders.service import Reminders

__all__ = ["Reminders"]
