"""The functions APScheduler's job store names: module-level, taking only an incident id.

The job store pickles a reference to these and the id, nothing else; when a job fires it
finds the running service and reloads everything it needs from the database.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Runtime(Protocol):
    async def fire(self, incident_id: int) -> object: ...
    async def replan(self, incident_id: int) -> object: ...
    async def digest(self, incident_id: int, *, periodic: bool) -> int: ...
    async def followups(self) -> int: ...
    def exercises_soon(self) -> None: ...
    async def checkpoints(self) -> int: ...


_runtime: Runtime | None = None


def bind(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


async def remind(incident_id: int) -> None:
    """Due reminder or escalation for one incident (what exactly is decided on firing)."""
    runtime = _runtime
    if runtime is None:
        log.warning("reminder job for incident %s fired with no scheduler running", incident_id)
        return
    try:
        await runtime.fire(int(incident_id))
    except Exception:
        log.exception("reminder job for incident %s failed; the next tick retries", incident_id)


async def digest(incident_id: int) -> None:
    """The periodic digest of one incident to each org's digest room."""
    runtime = _runtime
    if runtime is None:
        log.warning("digest job for incident %s fired with no scheduler running", incident_id)
        return
    try:
        await runtime.digest(int(incident_id), periodic=True)
    except Exception:
        log.exception("digest job for incident %s failed; the next tick retries", incident_id)


async def tasks(incident_id: int) -> None:
    """A task of the incident falls due: remind it, and plan the job for the next one."""
    runtime = _runtime
    if runtime is None:
        log.warning("due-task job for incident %s fired with no scheduler running", incident_id)
        return
    try:
        await runtime.replan(int(incident_id))
    except Exception:
        log.exception("due-task job for incident %s failed; the next check retries", incident_id)


async def followups() -> None:
    """A follow-up falls due (of any incident, closed ones too): remind it, plan the next."""
    runtime = _runtime
    if runtime is None:
        log.warning("due follow-up job fired with no scheduler running")
        return
    try:
        await runtime.followups()
    except Exception:
        log.exception("due follow-up job failed; the next check retries")


async def exercises() -> None:
    """An exercise's inject or window falls due (of any running exercise): move it on."""
    runtime = _runtime
    if runtime is None:
        log.warning("exercise job fired with no scheduler running")
        return
    runtime.exercises_soon()  # logs its own failures


async def checkpoints() -> None:
    """Sign the heads of the open incidents whose timelines grew since their last checkpoint."""
    runtime = _runtime
    if runtime is None:
        log.warning("checkpoint job fired with no scheduler running")
        return
    try:
        await runtime.checkpoints()
    except Exception:
        log.exception("checkpoint job failed; the next one retries")
