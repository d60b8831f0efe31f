"""Observables are extracted after the answer, never on its path: a listener of the core
reads the entries past each incident's extraction cursor, has them scanned (in a worker
process, as ioc-finder is slow pure-Python parsing), and stores what was found and the new
cursor in one transaction. Entries are on the timeline before anyone is answered, so a crash
loses nothing: `recover` at start scans whatever the cursor had not reached, and scanning
the same entries twice records nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from warroom.bot.config import Config
from warroom.bot.domain.events import MessagePosted
from warroom.bot.domain.vocabulary import IncidentChanged
from warroom.bot.operations import intel
from warroom.bot.operations.services import Services
from warroom.bot.runtime.settling import Settling
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)

PARENT_POLL_S = 0.5
# entries a batch holds: its findings are stored on the event loop when SQLite is free, in
# a few milliseconds; a backlog (a busy room, recovery at start) is several such batches,
# so it never sends the commands' own light transactions to the writer thread behind it
BATCH = 50
_pool: Executor | None = None  # one per process, started at the first scan that needs it


def _started_pool() -> Executor:
    """The worker, started and ready (its process spawned, ioc-finder imported): called on a
    thread, as starting a process takes long enough to hold up the event loop."""
    global _pool
    if _pool is None:
        # spawn, not fork: the parent has threads (the store's) that a fork would copy
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
        pool.submit(intel.find_all, ["warm up 192.0.2.1"], ()).result()
        _pool = pool
    return _pool


def _die_with_parent(parent: int) -> None:
    """In the worker: leave as soon as warroom is gone. A worker whose parent was killed
    (`kill -9`, the OOM killer) would otherwise wait on its queue for good, holding the
    parent's stdout and stderr open."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Extraction:
    def __init__(self, services: Services, settling: Settling) -> None:
        self.services = services
        self.settling = settling
        self.own_domains = intel.own_domains(services.config)
        self.in_worker = services.config.intel.extract_in_worker
        self._dirty: set[int] = set()
        self._scheduled = False

    async def after_changes(self, changes: Sequence[IncidentChanged]) -> None:
        touched = {c.incident_id for c in changes if c.kind in intel.SCANNED}
        if touched:
            await self._soon(touched)

    async def after_message(self, event: MessagePosted, incident_id: int) -> None:
        await self._soon({incident_id})

    async def _soon(self, incident_ids: set[int]) -> None:
        """One scan after the work queued before it, for every incident touched until it
        runs: a busy room is scanned in batches, not entry by entry."""
        self._dirty |= incident_ids
        if not self._scheduled:
            self._scheduled = True
            await self.settling.run(self._scan_dirty)

    async def _scan_dirty(self) -> None:
        self._scheduled = False
        touched, self._dirty = self._dirty, set()
        await self.catch_up(touched)

    async def recover(self) -> None:
        """Scan what was said while no process was scanning (a crash, an upgrade)."""
        unscanned = await self.services.store.transaction(
            lambda uow: uow.observables.unscanned_incidents()
        )
        await self.catch_up(unscanned)

    async def catch_up(self, incident_ids: Iterable[int]) -> None:
        for incident_id in sorted(incident_ids):
            await self._catch_up(incident_id)
        await self.services.outbox.drain_if_queued()  # correlation notices

    async def _catch_up(self, incident_id: int) -> None:
        """Batch after batch, in order; while one is stored, the next is being scanned, so
        neither the worker nor the loop waits on the other through a backlog."""
        store = self.services.store
        config = self.services.config

        async def read(after: int) -> intel.Pending | None:
            # small (a read; a batch's few statements): on the loop when SQLite is free, so
            # the commands' own light transactions do not wait on the thread
            return await store.transaction(
                partial(intel.pending, incident_id=incident_id, limit=BATCH, after=after),
                light=True,
            )

        work = await read(0)
        scanning = self._scanning(work)
        try:
            while work is not None and scanning is not None:
                found = await scanning
                following = await read(work.upto) if len(work.entries) == BATCH else None
                scanning = self._scanning(following)
                await store.transaction(
                    partial(_save, config=config, work=work, found=found), light=True
                )
                work = following
        finally:
            if scanning is not None:
                scanning.cancel()

    def _scanning(
        self, work: intel.Pending | None
    ) -> asyncio.Future[list[list[intel.Found]]] | None:
        """`work` being scanned: handed to the worker now, not at the loop's next turn (the
        batch before it is stored on the loop meanwhile, without a turn in between)."""
        if work is None:
            return None
        submitted = None
        if self.in_worker and _pool is not None and work.texts:
            # a worker gone: `_scan` finds it gone again, and says so
            with contextlib.suppress(BrokenProcessPool, RuntimeError, OSError):
                submitted = self._submit(_pool, work.texts)
        return asyncio.ensure_future(self._scan(work.texts, submitted))

    def _submit(self, pool: Executor, texts: list[str]) -> asyncio.Future[list[list[intel.Found]]]:
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(pool, intel.find_all, texts, self.own_domains)

    async def _scan(
        self, texts: list[str], submitted: asyncio.Future[list[list[intel.Found]]] | None = None
    ) -> list[list[intel.Found]]:
        if not texts:
            return []
        if self.in_worker:
            try:
                if submitted is None:
                    pool = _pool if _pool is not None else await asyncio.to_thread(_started_pool)
                    submitted = self._submit(pool, texts)
                return await submitted
            except (BrokenProcessPool, RuntimeError, OSError):
                log.warning("no extraction worker; scanning in this process", exc_info=True)
                self.in_worker = False
        return intel.find_all(texts, self.own_domains)


def _save(
    uow: UnitOfWork, *, config: Config, work: intel.Pending, found: list[list[intel.Found]]
) -> int:
    return intel.store_found(uow, config, work, found)
