"""What follows an answer runs at once until deferred; deferred, in order, off the caller's
path, and `settled()` waits for all of it; one failure does not stop what follows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from warroom.bot.runtime.settling import Settling


def step(done: list[str], name: str, pause: float = 0.0) -> Callable[[], Awaitable[None]]:
    async def work() -> None:
        await asyncio.sleep(pause)
        done.append(name)

    return work


async def test_work_runs_at_once_until_deferred() -> None:
    done: list[str] = []
    await Settling().run(step(done, "card"))
    assert done == ["card"]


async def test_deferred_work_runs_after_the_caller_in_the_order_it_was_asked() -> None:
    settling = Settling()
    settling.deferred = True
    done: list[str] = []
    await settling.run(step(done, "card", pause=0.01))
    await settling.run(step(done, "reminders"))
    assert done == []  # the caller answers first
    await settling.settled()
    assert done == ["card", "reminders"]


async def test_a_failing_step_is_logged_and_the_next_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settling = Settling()
    settling.deferred = True
    done: list[str] = []

    async def broken() -> None:
        raise RuntimeError("platform down")

    await settling.run(broken)
    await settling.run(step(done, "reminders"))
    await settling.settled()
    assert done == ["reminders"]
    assert "work after an answer failed" in caplog.text
