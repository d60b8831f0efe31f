"""Running the real APScheduler (and its SQLAlchemy job store) on a controllable clock.

APScheduler 3 reads the time with `datetime.now()` in its scheduler and executor modules;
`on_clock` points those at a FakeClock, so due jobs are found, coalesced and checked for
misfires exactly as in production, but at the moments the test chooses.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, tzinfo
from typing import Any

import pytest
from apscheduler.executors import base as executor_base
from apscheduler.schedulers import base as scheduler_base

from warroom.bot.domain.clock import FakeClock
from warroom.bot.reminders.checkpoint_due import JOB_ID as CHECKPOINT_JOB
from warroom.bot.reminders.service import Reminders


def on_clock(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    class ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Any:
            return clock.now().astimezone(tz or UTC)

    monkeypatch.setattr(scheduler_base, "datetime", ClockDatetime)
    monkeypatch.setattr(executor_base, "datetime", ClockDatetime)


async def run_due(reminders: Reminders) -> None:
    """Let the scheduler run every job due on its clock, and wait for them to finish."""
    scheduler = reminders.timers.scheduler
    assert scheduler is not None, "the scheduler is not running here"
    scheduler._process_jobs()
    executor = scheduler._lookup_executor("default")
    while executor._pending_futures:
        await asyncio.gather(*list(executor._pending_futures), return_exceptions=True)
        await asyncio.sleep(0)
    await reminders.settled()


def job_times(reminders: Reminders) -> dict[str, datetime]:
    """Next run time of every job, read back from the job store (but the deployment-wide
    checkpoint job, always armed while leading: `checkpoint_time`)."""
    scheduler = reminders.timers.scheduler
    assert scheduler is not None
    return {job.id: job.next_run_time for job in scheduler.get_jobs() if job.id != CHECKPOINT_JOB}


def checkpoint_time(reminders: Reminders) -> datetime | None:
    scheduler = reminders.timers.scheduler
    assert scheduler is not None
    job = scheduler.get_job(CHECKPOINT_JOB)
    return job.next_run_time if job is not None else None
