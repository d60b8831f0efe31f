"""The reminders service: listens to the core, and runs the scheduler while it leads.

Any process may handle a command; it bumps the incident's plan version. The leader's
scheduler re-plans what changed (at once when the command ran in the leader, else within
`plan_poll`), so the job store is written by one process only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, select

from warroom.bot.events import MessagePosted
from warroom.bot.reminders import duty, jobs
from warroom.bot.reminders.duty import Plan
from warroom.bot.reminders.leader import Leadership, leadership_for
from warroom.bot.services import Services
from warroom.storage.engine import make_engine
from warroom.storage.store import UnitOfWork

log = logging.getLogger(__name__)
PLAN_VERBS = frozenset({"open", "update", "sev", "resolve", "close"})
DIGEST_VERBS = frozenset({"open", "update", "resolve", "close", "invite"})
JOB_TABLE = "apscheduler_jobs"


def remind_job_id(incident_id: int) -> str:
    return f"remind:{incident_id}"


def digest_job_id(incident_id: int) -> str:
    return f"digest:{incident_id}"


class Reminders:
    """Status reminders, escalation and digests; an IncidentListener of the core."""

    def __init__(self, services: Services, *, leadership: Leadership | None = None) -> None:
        self.services = services
        self.config = services.config
        self.leadership = leadership or leadership_for(
            self.config.storage.url, retry=self.config.reminders.leader_retry.total_seconds()
        )
        self.scheduler: AsyncIOScheduler | None = None
        self.leading = asyncio.Event()
        self._engine: Engine | None = None
        self._task: asyncio.Task[None] | None = None

    # the core's listener

    async def after_command(self, verb: str, incident_id: int | None) -> None:
        if incident_id is None:
            return
        if verb in PLAN_VERBS:
            await self.services.store.transaction(lambda uow: uow.reminders.touch(incident_id))
            if self.scheduler is not None:
                await self.replan(incident_id)
        if verb in DIGEST_VERBS:
            await self.digest(incident_id, periodic=False)

    async def after_message(self, event: MessagePosted, incident_id: int) -> None:
        return

    # what jobs do

    async def check(self, incident_id: int) -> Plan | None:
        now = self.services.clock.now()
        plan = await self.services.store.transaction(
            lambda uow: duty.check(uow, incident_id, now=now, config=self.config)
        )
        if plan is not None and plan.action in ("remind", "escalate"):
            await self.services.outbox.drain()
        return plan

    async def digest(self, incident_id: int, *, periodic: bool) -> int:
        now = self.services.clock.now()
        posted = await self.services.store.transaction(
            lambda uow: duty.digest(
                uow, incident_id, now=now, config=self.config, periodic=periodic
            )
        )
        if posted:
            await self.services.outbox.drain()
        return posted

    async def replan(self, incident_id: int, *, digest_job: bool = False) -> Plan | None:
        """Check the incident now and put its jobs in line with the result."""
        plan = await self.check(incident_id)
        if plan is None or self.scheduler is None:
            return plan
        self._schedule(plan, digest_job=digest_job or plan.first)
        await self.services.store.transaction(
            lambda uow: uow.reminders.mark_scheduled(incident_id, plan.version)
        )
        return plan

    def _schedule(self, plan: Plan, *, digest_job: bool) -> None:
        assert self.scheduler is not None
        ids = (remind_job_id(plan.incident_id), digest_job_id(plan.incident_id))
        if not plan.open:
            for job_id in ids:
                with contextlib.suppress(JobLookupError):
                    self.scheduler.remove_job(job_id)
            return
        assert plan.anchor and plan.cadence and plan.next_at
        # A tick every half cadence from the first slot: each reminder and escalation moment.
        self.scheduler.add_job(
            jobs.remind,
            IntervalTrigger(
                seconds=plan.cadence.total_seconds() / 2,
                start_date=plan.anchor + plan.cadence,
                timezone=UTC,
            ),
            args=[plan.incident_id],
            id=ids[0],
            name=ids[0],
            replace_existing=True,
            next_run_time=plan.next_at,
        )
        if digest_job:
            interval = self.config.reminders.digest_interval
            self.scheduler.add_job(
                jobs.digest,
                IntervalTrigger(
                    seconds=interval.total_seconds(),
                    start_date=plan.opened_at + interval,
                    timezone=UTC,
                ),
                args=[plan.incident_id],
                id=ids[1],
                name=ids[1],
                replace_existing=True,
            )

    # leading

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._lead(), name="reminders-leader")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.leadership.release()

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
                await asyncio.sleep(self.config.reminders.leader_retry.total_seconds())
            finally:
                if poll is not None:
                    poll.cancel()
                self._step_down()

    async def _take_over(self) -> None:
        self._engine = make_engine(self.config.storage.url)
        grace = max(1, int(self.config.reminders.misfire_grace.total_seconds()))
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            jobstores={"default": SQLAlchemyJobStore(engine=self._engine, tablename=JOB_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        )
        jobs.bind(self)
        self.scheduler.start()
        await self.reconcile()
        self.leading.set()

    def _step_down(self) -> None:
        self.leading.clear()
        jobs.bind(None)
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            # AsyncIOScheduler.shutdown() only queues the shutdown on the loop; this one is
            # synchronous on purpose: once leadership is gone, no job may start here.
            scheduler._stop_timer()  # type: ignore[attr-defined]
            BaseScheduler.shutdown(scheduler, wait=False)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def reconcile(self) -> int:
        """On taking over: plan what changed while nobody led, re-create missing jobs, and
        run what fell due (a job lost by a crash between firing and committing included)."""
        now = self.services.clock.now()

        def pending(uow: UnitOfWork) -> tuple[set[int], set[int], set[int]]:
            return (
                set(uow.reminders.unplanned(limit=1_000_000)),
                set(uow.reminders.open_incidents()),
                set(uow.reminders.overdue(now)),
            )

        unplanned, open_ids, overdue = await self.services.store.transaction(pending)
        existing = await asyncio.to_thread(self._job_ids)
        missing = {i for i in open_ids if remind_job_id(i) not in existing}
        no_digest = {i for i in open_ids if digest_job_id(i) not in existing}
        todo = sorted(unplanned | missing | no_digest | overdue)
        for incident_id in todo:
            await self.replan(incident_id, digest_job=incident_id in no_digest)
        if todo:
            log.warning("scheduler took over: %s incident(s) re-planned", len(todo))
        return len(todo)

    def _job_ids(self) -> set[str]:
        assert self.scheduler is not None and self._engine is not None
        store = self.scheduler._lookup_jobstore("default")  # type: ignore[attr-defined]
        with self._engine.connect() as conn:
            return set(conn.execute(select(store.jobs_t.c.id)).scalars())

    async def sync(self) -> int:
        """Re-plan incidents changed by other processes."""
        changed = await self.services.store.transaction(lambda uow: uow.reminders.unplanned())
        for incident_id in changed:
            await self.replan(incident_id)
        return len(changed)

    async def _poll_forever(self) -> None:
        interval = self.config.reminders.plan_poll.total_seconds()
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sync()
            except Exception:
                log.exception("re-planning changed incidents failed; retrying")
