"""What command handlers and jobs may use, bundled once by app.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warroom.bot.config import Config
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.clock import Clock
from warroom.bot.domain.port import ChatAdapter
from warroom.storage.store import Store

if TYPE_CHECKING:
    from warroom.bot.runtime.outbox import OutboxDispatcher


@dataclass
class Services:
    store: Store
    clock: Clock
    config: Config
    directory: OrgDirectory
    adapters: Mapping[str, ChatAdapter]
    outbox: OutboxDispatcher
