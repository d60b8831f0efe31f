"""The scheduler: APScheduler 3's AsyncIOScheduler on its SQLAlchemy job store, in warroom's
own database, so what is planned survives a restart.

Each open incident has a wake-up job ticking every half cadence from its clock's first
moment (each reminder and escalation moment), and a periodic digest job. Missed ticks are
coalesced by APScheduler; wake-ups run however late they are, since plan.py decides from
stored state what is still worth saying (with the grace period). A check moves the wake-up
only when the clock moved to a new grid (a late reminder restarts it) or the plan changed
(an update, a sev change).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from apscheduler.jobstores.base import JobLookupError  # type: ignore[import-untyped]
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.schedulers.base import STATE_RUNNING, BaseScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.date import DateTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]
from apscheduler.util import obj_to_ref  # type: ignore[import-untyped]
from sqlalchemy import Engine, select

from warroom.bot.reminders import jobs
from warroom.bot.reminders.due import Plan

log = logging.getLogger(__name__)
JOB_TABLE = "apscheduler_jobs"


def remind_job_id(incident_id: int) -> str:
    return f"remind:{incident_id}"


def digest_job_id(incident_id: int) -> str:
    return f"digest:{incident_id}"


def tasks_job_id(incident_id: int) -> str:
    return f"tasks:{incident_id}"


class Timers:
    def __init__(self, engine: Engine, *, digest_interval: timedelta, grace: timedelta) -> None:
        self.engine = engine  # the job store's (storage.engine.job_store_engine)
        self.digest_interval = digest_interval
        self.grace = max(1, int(grace.total_seconds()))
        self.scheduler: AsyncIOScheduler | None = None

    @property
    def running(self) -> bool:
        return self.scheduler is not None

    def start(self) -> None:
        """Start paused: the caller plans, then `resume()` lets due jobs run."""
        store = SQLAlchemyJobStore(engine=self.engine, tablename=JOB_TABLE)
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            jobstores={"default": store},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": self.grace},
        )
        self.scheduler.start(paused=True)

    def resume(self) -> None:
        if self.scheduler is not None:
            self.scheduler.resume()

    def stop(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            # AsyncIOScheduler.shutdown() only queues the shutdown on the loop; this is
            # synchronous on purpose: once leadership is gone, no job may start here.
            scheduler._stop_timer()
            BaseScheduler.shutdown(scheduler, wait=False)
        self.engine.dispose()  # a standby holds no job-store connection

    def arm(self, plans: Iterable[Plan], *, with_digest: Iterable[int] = ()) -> None:
        """Put each incident's jobs in line with its plan, as one burst of job-store writes.
        A job already armed as the plan wants it is left alone: re-planning after every
        change (a task added) writes, and wakes the scheduler, only when a time moved."""
        digest = set(with_digest)
        todo = [
            p for p in plans if p.rearm or p.tasks_rearm or not p.open or p.incident_id in digest
        ]
        if not todo:
            return
        assert self.scheduler is not None, "the scheduler is not running in this process"
        writes = [
            write
            for plan in todo
            # A re-planned incident may have been reopened: its digest job comes back.
            for write in self._writes(
                self.scheduler, plan, plan.rearm or plan.incident_id in digest
            )
        ]
        if not writes:
            return
        with self._quiet():
            for write in writes:
                write()

    def arm_once(self, job_id: str, func: Callable[[], object], at: datetime | None) -> None:
        """One job, not bound to an incident, at `at`; none when `at` is None."""
        assert self.scheduler is not None, "the scheduler is not running in this process"
        job = _pending(self.scheduler, job_id)
        if at is None:
            if job is not None:
                _remove(self.scheduler, job_id)
            return
        trigger = DateTrigger(run_date=at, timezone=UTC)
        if _armed_as(job, func, trigger, at):
            return
        self.scheduler.add_job(
            func,
            trigger,
            id=job_id,
            name=job_id,
            replace_existing=True,
            misfire_grace_time=None,  # due while nobody led: reminded however late
        )

    def forget(self, incident_ids: Iterable[int]) -> None:
        """Drop the jobs of incidents that no longer exist."""
        assert self.scheduler is not None
        for incident_id in incident_ids:
            for job_id in _job_ids(incident_id):
                with contextlib.suppress(JobLookupError):
                    self.scheduler.remove_job(job_id)

    def pause(self) -> None:
        if self.scheduler is not None and self.scheduler.state == STATE_RUNNING:
            self.scheduler.pause()

    def running_jobs(self) -> list[Any]:
        """The futures of jobs running now (APScheduler's executor keeps them)."""
        if self.scheduler is None:
            return []
        return list(self.scheduler._lookup_executor("default")._pending_futures)

    def retry(self, incident_id: int, at: datetime) -> None:
        """Try a failed check again at `at` (the wake-up keeps its interval)."""
        assert self.scheduler is not None
        with contextlib.suppress(JobLookupError):
            self.scheduler.modify_job(remind_job_id(incident_id), next_run_time=at)

    def job_ids(self) -> set[str]:
        assert self.scheduler is not None
        store = self.scheduler._lookup_jobstore("default")
        with self.engine.connect() as conn:
            return set(conn.execute(select(store.jobs_t.c.id)).scalars())

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[AsyncIOScheduler]:
        """Pause while writing many jobs: one wake-up of the scheduler after, not one each."""
        assert self.scheduler is not None, "the scheduler is not running in this process"
        scheduler = self.scheduler
        pause = scheduler.state == STATE_RUNNING
        if pause:
            scheduler.pause()
        try:
            yield scheduler
        finally:
            if pause and self.scheduler is scheduler:
                scheduler.resume()

    def _writes(
        self, scheduler: AsyncIOScheduler, plan: Plan, with_digest: bool
    ) -> list[Callable[[], object]]:
        """The job-store writes that bring `plan`'s jobs in line with it."""
        ids = _job_ids(plan.incident_id)
        if not plan.open:
            return [partial(_remove, scheduler, job_id) for job_id in ids]
        writes: list[Callable[[], object]] = []
        if plan.tasks_rearm:
            writes += self._task_writes(scheduler, plan)
        if not (plan.rearm or with_digest):
            return writes
        assert plan.next_at and plan.grid_start and plan.cadence
        wake_up = IntervalTrigger(
            seconds=plan.cadence.total_seconds() / 2, start_date=plan.grid_start, timezone=UTC
        )
        if not _armed_as(_pending(scheduler, ids[0]), jobs.remind, wake_up, plan.next_at):
            writes.append(
                partial(
                    scheduler.add_job,
                    jobs.remind,
                    wake_up,
                    args=[plan.incident_id],
                    id=ids[0],
                    name=ids[0],
                    replace_existing=True,
                    next_run_time=plan.next_at,
                    # however late: plan.py decides what is still worth saying
                    misfire_grace_time=None,
                )
            )
        if with_digest:
            digests = IntervalTrigger(
                seconds=self.digest_interval.total_seconds(),
                start_date=plan.opened_at + self.digest_interval,
                timezone=UTC,
            )
            if not _armed_as(_pending(scheduler, ids[1]), jobs.digest, digests, None):
                writes.append(
                    partial(
                        scheduler.add_job,
                        jobs.digest,
                        digests,
                        args=[plan.incident_id],
                        id=ids[1],
                        name=ids[1],
                        replace_existing=True,
                    )
                )
        return writes

    @staticmethod
    def _task_writes(scheduler: AsyncIOScheduler, plan: Plan) -> list[Callable[[], object]]:
        """One job at the next waiting task's due time; none when no task waits."""
        job_id = tasks_job_id(plan.incident_id)
        job = _pending(scheduler, job_id)
        if plan.tasks_at is None:
            return [partial(_remove, scheduler, job_id)] if job is not None else []
        trigger = DateTrigger(run_date=plan.tasks_at, timezone=UTC)
        if _armed_as(job, jobs.tasks, trigger, plan.tasks_at):
            return []
        return [
            partial(
                scheduler.add_job,
                jobs.tasks,
                trigger,
                args=[plan.incident_id],
                id=job_id,
                name=job_id,
                replace_existing=True,
                misfire_grace_time=None,  # a task due while nobody led is reminded however late
            )
        ]


def _remove(scheduler: AsyncIOScheduler, job_id: str) -> None:
    with contextlib.suppress(JobLookupError):
        scheduler.remove_job(job_id)


SAME_TIME = timedelta(milliseconds=1)  # the job store keeps times as float timestamps


def _pending(scheduler: AsyncIOScheduler, job_id: str) -> Any:
    """The stored job, or None where there is none or it cannot be read back (a corrupt or
    an older install's job: writing it anew is the repair)."""
    try:
        return scheduler.get_job(job_id)
    except Exception:
        return None


def _armed_as(
    job: Any,
    func: Callable[..., object],
    trigger: IntervalTrigger | DateTrigger,
    next_at: datetime | None,
) -> bool:
    """Whether `job` is pending, running `func` with that trigger (and that next run time,
    when given): what writing it again would store."""
    if job is None or job.next_run_time is None or job.func_ref != obj_to_ref(func):
        return False
    if next_at is not None and abs(job.next_run_time - next_at) >= SAME_TIME:
        return False
    have = job.trigger
    if isinstance(trigger, IntervalTrigger):
        return (
            isinstance(have, IntervalTrigger)
            and have.interval == trigger.interval
            and abs(have.start_date - trigger.start_date) < SAME_TIME
        )
    return isinstance(have, DateTrigger) and abs(have.run_date - trigger.run_date) < SAME_TIME


def _job_ids(incident_id: int) -> tuple[str, str, str]:
    return remind_job_id(incident_id), digest_job_id(incident_id), tasks_job_id(incident_id)
