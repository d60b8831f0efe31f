"""What command handlers and jobs may use, bundled once by app.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from warroom.bot.config import Config
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.clock import Clock
from warroom.bot.domain.port import ChatAdapter
from warroom.bot.domain.telemetry import NO_TELEMETRY, Telemetry
from warroom.bot.operations.checkpoints import Checkpointer
from warroom.storage.store import Store

# What a unit of work on the event loop may be given: redaction costs most per line.
LIGHT_CHARS = 1_000
LIGHT_LINES = 8


def light_input(text: str) -> bool:
    """Small enough that handling it cannot hold the event loop up for long (a few ms)."""
    return len(text) <= LIGHT_CHARS and text.count("\n") < LIGHT_LINES


class Delivery(Protocol):
    """The outbox's delivery, as operations see it (runtime/outbox.py is the real one)."""

    async def drain(self, rounds: int = 5) -> int:
        """Deliver what is due now; how many items were delivered."""
        ...

    async def drain_if_queued(self) -> int:
        """Deliver only if a transaction queued something since the last drain."""
        ...

    async def settled(self) -> None:
        """Wait until what follows the answers given so far has run (tests, idle)."""
        ...


@dataclass
class Services:
    store: Store
    clock: Clock
    config: Config
    directory: OrgDirectory
    adapters: Mapping[str, ChatAdapter]
    outbox: Delivery
    telemetry: Telemetry = NO_TELEMETRY  # what operators' metrics are told
    checkpointer: Checkpointer | None = None  # signs chain heads (None: no checkpoints)
