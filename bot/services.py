"""What command handlers and jobs may use, bundled once by app.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Config
from bot.directory import OrgDirectory
from bot.port import ChatAdapter
from storage.store import Store

if TYPE_CHECKING:
    from bot.outbox import OutboxDispatcher


@dataclass
class Services:
    store: Store
    clock: Clock
    config: Config
    directory: OrgDirectory
    adapters: Mapping[str, ChatAdapter]
    outbox: OutboxDispatcher
