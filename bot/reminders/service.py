"""The reminders service: listens to the core, checks incidents, and runs the scheduler
while this process leads.

Any process may handle a command; it bumps the incident's plan version. The leader re-plans
what changed (at once when the command ran in the leader, else within `plan_poll`), so the
job store is written by one process only. Checks that fall due together share transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from warroom.bot.domain.events import MessagePosted
from warroom.bot.domain.vocabulary import EntryKind, IncidentChanged
from warroom.bot.operations.services import Services
from warroom.bot.reminders import checkpoint_due, digests, due, followup_due, inject_due, jobs
from warroom.bot.reminders.due import Plan
from warroom.bot.reminders.timers import Timers, digest_job_id, remind_job_id
from warroom.bot.runtime.leader import Leadership
from warroom.storage.engine import is_sqlite
from warroom.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)
# What changes when an exercise next moves on; in a running exercise, any change may
# meet an expectation.
EXERCISE_ON = frozenset({EntryKind.EXERCISE, EntryKind.INJECT, EntryKind.EXPECTATION})
# What makes the reminder plan change, and what managers' digest rooms hear of at once.
REPLAN_ON = frozenset(
    {
        EntryKind.OPENED,
        EntryKind.UPDATE,
        EntryKind.SEVERITY,
        EntryKind.STATE,
        EntryKind.RESOLVED,
        EntryKind.CLOSED,
    }
)
DIGEST_ON = frozenset(
    {
        EntryKind.OPENED,
        EntryKind.UPDATE,
        EntryKind.RESOLVED,
        EntryKind.CLOSED,
        EntryKind.ORG,
        EntryKind.INVITE,
    }
)
BATCH = 100  # incidents checked per transaction
PARALLEL = 3  # transactions of checks at once on PostgreSQL (SQLite has one writer)
RETRY = timedelta(minutes=1)  # a check that failed is tried again this much later
REPAIR_EVERY = 30  # polls between looks for jobs the job store dropped
STOP_GRACE = 5.0  # seconds running jobs get to finish when the process stops


@dataclass
class _Pending:
    incident_id: int
    mark: bool
    digest_job: bool
    future: asyncio.Future[Plan | None] = field(repr=False)


class Reminders:
    """Status reminders, escalation and digests; an IncidentListener of the core."""

    def __init__(self, services: Services, *, leadership: Leadership, timers: Timers) -> None:
        self.services = services
        self.config = services.config
        self.leadership = leadership
        self.timers = timers
        self._words = {p: a.command_word for p, a in services.adapters.items()}
        self.leading = asyncio.Event()
        self._parallel = 1 if is_sqlite(self.config.storage.url) else PARALLEL
        self._checks: Store | None = None
        self._queue: list[_Pending] = []
        self._checker: asyncio.Task[None] | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self._deliver_again = False
        self._task: asyncio.Task[None] | None = None
        self._exercising: set[int] = set()  # incidents with a running exercise, last seen
        self._exercise_lock = asyncio.Lock()
        self._exercise_checks: set[asyncio.Task[int]] = set()  # the job's, running

    # the core's listener

    async def after_changes(self, changes: Sequence[IncidentChanged]) -> None:
        """The command has succeeded and answered; a failure here is logged, not shown.
        (What it leaves undone, the periodic digest and the leader's next poll pick up.)"""
        kinds: dict[int, set[EntryKind]] = {}
        replan: set[int] = set()
        for change in changes:
            kinds.setdefault(change.incident_id, set()).add(change.kind)
            if change.replan:
                replan.add(change.incident_id)
        for incident_id, changed in kinds.items():
            try:
                await self._follow(incident_id, changed, incident_id in replan)
            except Exception:
                log.exception("reminders could not follow changes to incident %s", incident_id)

    async def _follow(self, incident_id: int, changed: set[EntryKind], replan: bool) -> None:
        if changed & REPLAN_ON:
            await self.services.store.transaction(lambda uow: uow.reminders.touch(incident_id))
            if self.timers.running:
                await self.replan(incident_id)
        elif replan and self.timers.running:
            # the command's own transaction said the plan must be redone (a task's due time)
            await self.replan(incident_id)
        if EntryKind.FOLLOWUP in changed and self.timers.running:
            await self.followups()  # its due time changed in the command's own transaction
        exercising = changed & EXERCISE_ON or incident_id in self._exercising
        if exercising and self.timers.running:
            await self.exercises(incident_id)
        if changed & DIGEST_ON:
            await self.digest(incident_id, periodic=False)

    async def after_message(self, event: MessagePosted, incident_id: int) -> None:
        return

    # checks, batched

    async def fire(self, incident_id: int) -> Plan | None:
        """What the wake-up job does: check the incident and re-arm its wake-up."""
        return await self._check(incident_id, mark=False, digest_job=False)

    async def replan(self, incident_id: int, *, digest_job: bool = False) -> Plan | None:
        """Check the incident now and put its jobs in line with the result."""
        return await self._check(incident_id, mark=True, digest_job=digest_job)

    async def _check(self, incident_id: int, *, mark: bool, digest_job: bool) -> Plan | None:
        future: asyncio.Future[Plan | None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(incident_id, mark, digest_job, future))
        if self._checker is None or self._checker.done():
            self._checker = asyncio.create_task(self._check_queued(), name="reminders-check")
        return await future

    async def _check_queued(self) -> None:
        """Run queued checks in batches, a few transactions at a time on PostgreSQL."""
        running: set[asyncio.Task[None]] = set()
        while self._queue or running:
            while self._queue and len(running) < self._parallel:
                batch, self._queue = self._queue[:BATCH], self._queue[BATCH:]
                running.add(asyncio.create_task(self._check_batch(batch)))
            _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)

    async def _check_batch(self, batch: list[_Pending]) -> None:
        results = await self._run_checks(batch)
        self.services.telemetry.reminders_sent(due.lateness(results))
        try:
            if self.timers.running:
                await self.services.store.on_writer(partial(self._rearm, batch, results))
            if any(isinstance(r, Plan) and r.says_something for r in results):
                self.deliver_soon()
        except Exception:
            # The checks are committed; a job not moved fires at its old time and finds
            # nothing new, and the periodic repair re-creates what is missing.
            log.exception("re-arming %s checked incident(s) failed", len(batch))
        finally:
            for pending, result in zip(batch, results, strict=True):
                if pending.future.done():
                    continue
                if isinstance(result, Exception):
                    pending.future.set_exception(result)
                else:
                    pending.future.set_result(result)

    async def _arm_once(
        self, job_id: str, func: Callable[[], object], at: datetime | None
    ) -> None:
        """`Timers.arm_once` where the job store's writes never hold up the event loop."""

        def arm() -> None:
            if self.timers.running:  # leadership may have gone while this waited
                self.timers.arm_once(job_id, func, at)

        if self.timers.running:
            await self.services.store.on_writer(arm)

    def _rearm(self, batch: list[_Pending], results: list[Plan | Exception | None]) -> None:
        if not self.timers.running:  # leadership went while this waited for the thread
            return
        plans = [r for r in results if isinstance(r, Plan)]
        self.timers.arm(plans, with_digest=[p.incident_id for p in batch if p.digest_job])
        retry_at = self.services.clock.now() + RETRY
        for pending, result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                self.timers.retry(pending.incident_id, retry_at)
        self.timers.forget(p.incident_id for p, r in zip(batch, results, strict=True) if r is None)

    @property
    def _check_store(self) -> Store:
        """The checks' own connections and worker threads on PostgreSQL: a burst of checks
        then never holds up the outbox's deliveries of the reminders it queued."""
        if self._parallel == 1:
            return self.services.store  # SQLite: one writer anyway
        if self._checks is None:
            self._checks = self.services.store.sibling()
        return self._checks

    async def _run_checks(self, batch: list[_Pending]) -> list[Plan | Exception | None]:
        now = self.services.clock.now()
        requests = [(p.incident_id, p.mark) for p in batch]
        try:
            return list(
                await self._check_store.transaction(
                    lambda uow: due.check(
                        uow, requests, now=now, config=self.config, words=self._words
                    )
                )
            )
        except Exception:
            if len(batch) == 1:
                log.exception("checking incident %s failed", batch[0].incident_id)
                return [RuntimeError(f"checking incident {batch[0].incident_id} failed")]
        log.warning("a batch of %s checks failed; checking them one by one", len(batch))
        results: list[Plan | Exception | None] = []
        for pending in batch:
            results += await self._run_checks([pending])
        return results

    def deliver_soon(self) -> None:
        """Deliver what checks queued, in one drain loop however many checks queued it."""
        self._deliver_again = True
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.create_task(self._deliver(), name="reminders-deliver")

    async def _deliver(self) -> None:
        while self._deliver_again:
            self._deliver_again = False
            try:
                while await self.services.outbox.drain():
                    pass
            except Exception:
                log.exception("delivering reminders failed; the outbox retries")

    async def settled(self) -> None:
        """Wait until queued checks and deliveries are done (tests, benchmarks)."""
        while True:
            busy: list[asyncio.Task[Any]] = [
                t for t in (self._checker, self._deliverer) if t and not t.done()
            ]
            busy += [t for t in self._exercise_checks if not t.done()]
            if not busy:
                return
            await asyncio.gather(*busy, return_exceptions=True)

    async def digest(self, incident_id: int, *, periodic: bool) -> int:
        now = self.services.clock.now()
        posted = await self.services.store.transaction(
            lambda uow: digests.digest(
                uow, incident_id, now=now, config=self.config, periodic=periodic
            )
        )
        if posted:
            self.deliver_soon()
        return posted

    async def followups(self) -> int:
        """Remind the follow-ups due now, of open and closed incidents alike, and arm the
        job for the next one; how many were reminded."""
        now = self.services.clock.now()
        reminded, next_at = await self._check_store.transaction(
            lambda uow: followup_due.check(uow, now=now, config=self.config, words=self._words)
        )
        await self._arm_once(followup_due.JOB_ID, jobs.followups, next_at)
        if reminded:
            self.deliver_soon()
        return reminded

    async def checkpoints(self) -> int:
        """Checkpoint what grew since its last checkpoint, and arm the job for the next."""
        checkpointer = self.services.checkpointer
        if checkpointer is None:
            return 0
        now = self.services.clock.now()
        taken, next_at = await self.services.store.transaction(
            partial(checkpoint_due.check, now=now, checkpointer=checkpointer)
        )
        await self._arm_once(checkpoint_due.JOB_ID, jobs.checkpoints, next_at)
        if taken:
            self.deliver_soon()
        return taken

    async def exercises(self, incident_id: int | None = None) -> int:
        """Move on the exercises with something due now (and `incident_id`'s, whose
        timeline just changed: an expectation may be met), and arm the job for the next.
        One check at a time, so the job is armed by one writer; what fell due during a
        check is checked at once, not armed in the past."""
        async with self._exercise_lock:
            moved = 0
            while True:
                work = partial(
                    inject_due.check,
                    now=self.services.clock.now(),
                    config=self.config,
                    also=incident_id,
                )
                checked = await self._check_store.transaction(work)
                moved += checked.moved
                incident_id = None
                if checked.next_at is None or checked.next_at > self.services.clock.now():
                    break
            self._exercising = checked.running
            await self._arm_once(inject_due.JOB_ID, jobs.exercises, checked.next_at)
        if moved:
            self.deliver_soon()
        return moved

    def exercises_soon(self) -> None:
        """What the job does: the check runs beside it, so the job ends at once and the
        next one it arms is never skipped as "still running" (APScheduler's max_instances)."""
        task = asyncio.create_task(self._exercises_or_retry(), name="exercises-check")
        self._exercise_checks.add(task)
        task.add_done_callback(self._exercise_checks.discard)

    async def _exercises_or_retry(self) -> int:
        try:
            return await self.exercises()
        except Exception:
            log.exception("checking exercises failed; trying again in %s", RETRY)
            retry_at = self.services.clock.now() + RETRY
            await self._arm_once(inject_due.JOB_ID, jobs.exercises, retry_at)
            return 0

    # leading

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._lead(), name="reminders-leader")

    async def stop(self) -> None:
        """Let running jobs finish (for a while), then stand down and let go of the lock."""
        self.timers.pause()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._finish_jobs(), STOP_GRACE)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for helper in (self._checker, self._deliverer):
            if helper is not None and not helper.done():
                helper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await helper
        await self.leadership.release()
        checks, self._checks = self._checks, None
        if checks is not None:
            checks.close()

    async def _finish_jobs(self) -> None:
        while running := self.timers.running_jobs():
            await asyncio.gather(*running, return_exceptions=True)
        await self.settled()

    async def _lead(self) -> None:
        while True:
            await self.leadership.acquire()
            poll: asyncio.Task[None] | None = None
            try:
                await self._take_over()
                poll = asyncio.create_task(self._poll_forever(), name="reminders-poll")
                await self.leadership.hold()
                log.error("scheduler leadership lost; this process is a standby now")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the scheduler failed; standing down and trying again")
                await self.leadership.release()  # another process may do better meanwhile
                await asyncio.sleep(self.config.reminders.leader_retry.total_seconds())
            finally:
                if poll is not None:
                    poll.cancel()
                self.leading.clear()
                jobs.bind(None)
                self.timers.stop()

    async def _take_over(self) -> None:
        self.timers.start()
        jobs.bind(self)
        await self.reconcile()
        self.timers.resume()
        self.leading.set()

    async def reconcile(self) -> int:
        """On taking over: plan what changed while nobody led, re-create missing jobs, and
        check what fell due (a wake-up lost by a crash between firing and re-arming too)."""
        now = self.services.clock.now()

        def pending(uow: UnitOfWork) -> tuple[set[int], set[int]]:
            return set(uow.reminders.unplanned(limit=None)), set(uow.reminders.overdue(now))

        unplanned, overdue = await self.services.store.transaction(pending)
        return await self.repair(also=unplanned | overdue)  # follow-ups are checked there

    async def repair(self, *, also: set[int] | None = None) -> int:
        """Re-create the jobs of open incidents that have none (the job store drops a job it
        cannot load), and re-plan `also`."""
        open_ids = set(await self.services.store.transaction(self._open_ids))
        existing = await asyncio.to_thread(self.timers.job_ids)
        missing = {i for i in open_ids if remind_job_id(i) not in existing}
        no_digest = {i for i in open_ids if digest_job_id(i) not in existing}
        todo = sorted((also or set()) | missing | no_digest)
        await asyncio.gather(*(self.replan(i, digest_job=i in no_digest) for i in todo))
        await self.followups()  # what fell due while nobody led, and its job if it was lost
        await self.exercises()
        signs = self.services.checkpointer is not None and self.timers.running
        if signs and checkpoint_due.JOB_ID not in existing:
            interval = self.config.audit.checkpoint_interval
            first = self.services.clock.now() + interval
            await self._arm_once(checkpoint_due.JOB_ID, jobs.checkpoints, first)
        if missing or no_digest:
            log.info("re-created the jobs of %s incident(s)", len(missing | no_digest))
        return len(todo)

    @staticmethod
    def _open_ids(uow: UnitOfWork) -> list[int]:
        return list(uow.reminders.open_incidents())

    async def sync(self) -> int:
        """Re-plan incidents changed by other processes."""
        changed = await self.services.store.transaction(lambda uow: uow.reminders.unplanned())
        await asyncio.gather(*(self.replan(i) for i in changed))
        if changed:  # a follow-up added or reopened in another process touches its incident
            await self.followups()
            await self.exercises()
        return len(changed)

    async def _poll_forever(self) -> None:
        interval = self.config.reminders.plan_poll.total_seconds()
        for round_ in itertools.count(1):
            await asyncio.sleep(interval)
            try:
                await self.sync()
                if round_ % REPAIR_EVERY == 0:
                    await self.repair()
            except Exception:
                log.exception("re-planning changed incidents failed; retrying")
