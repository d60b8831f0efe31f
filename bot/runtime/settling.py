"""Work that follows an answer (a new room's card, reminder bookkeeping), run in order and
off the path to it once a process is serving; `settled()` waits until it has all run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Settling:
    def __init__(self) -> None:
        self.deferred = False  # App.start turns it on; until then work runs when asked
        self._last: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` now, or, deferred, after what was deferred before it."""
        if not self.deferred:
            await work()
            return
        self._last = asyncio.create_task(_after(self._last, work))

    async def settled(self) -> None:
        while self._last is not None and not self._last.done():
            await asyncio.wait([self._last])


async def _after(previous: asyncio.Task[None] | None, work: Callable[[], Awaitable[None]]) -> None:
    if previous is not None:
        await asyncio.wait([previous])
    try:
        await work()
    except Exception:  # the answer is out already: nobody is left to apologise to
        log.exception("work after an answer failed")
