"""Input limits: a command longer than `limits.message_chars` is refused, a longer message
is captured cut with a marker, and no input holds the event loop up for 100 ms."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Awaitable

import pytest

from tests.fakes.bot import TestBot
from tests.fakes.crossorg import CrossOrgBot
from tests.fakes.snapshot import snapshot
from warroom.bot.config import Config, LimitsConfig, OrgConfig
from warroom.bot.operations.export import incident_export

LIMIT = 40_000


@pytest.fixture
async def small(store_url: str) -> AsyncIterator[TestBot]:
    config = Config(
        orgs=(OrgConfig(id="acme", platform="fake", workspace="acme"),),
        limits=LimitsConfig(message_chars=100),
    )
    bot = TestBot(store_url, config=config)
    yield bot
    await bot.close()


def timeline(bot: TestBot) -> list[str]:
    data = bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=bot.app.config)
    )
    return [entry["text"] for entry in data["timeline"]]


async def test_a_command_over_the_limit_is_refused_in_one_line_and_changes_nothing(
    small: TestBot,
) -> None:
    await small.open()
    before = snapshot(small.app.store.engine)
    sent = await small.send("note " + "x" * 200)
    assert [s.kind for s in sent] == ["notify"]
    body = sent[0].message.body if sent[0].message else ""
    assert body == "⚠ that command is 205 characters long; the limit is 100 (limits.message_chars)"
    assert snapshot(small.app.store.engine) == before


async def test_a_message_over_the_limit_is_captured_cut_with_a_marker(small: TestBot) -> None:
    await small.open()
    await small.say("y" * 123_456)
    assert timeline(small)[-1] == "y" * 100 + "… [truncated: 123,456 characters]"


async def test_a_message_that_is_not_valid_unicode_is_captured_with_replacements(
    bot: TestBot,
) -> None:
    await bot.open()
    await bot.say("lone \ud800 surrogate")
    assert timeline(bot)[-1] == "lone \ufffd surrogate"


async def lag_while(work: Awaitable[object]) -> float:
    """The most CPU time the loop's thread spent between two 5 ms ticks while `work` ran.
    CPU time rather than wall time, so a busy machine (other processes on the cores) does not
    count as the loop being held up; what our code computes on the loop does."""
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            asked = time.thread_time()
            await asyncio.sleep(0.005)
            worst = max(worst, time.thread_time() - asked)

    gc.collect()  # what earlier tests left is not this input's cost
    probe = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await work
    done.set()
    await probe
    return worst


# the shapes that cost redaction, tokenizing and rendering the most per character
SHAPES = {
    "lines": "x = 1\n",
    "words": "we saw 203.0.113.9 try password: hunter2x then ",
    "one word": "a",
    "colons": "a:b:c:",
}


@pytest.mark.parametrize("unit", SHAPES.values(), ids=SHAPES.keys())
async def test_the_loop_keeps_serving_while_a_maximal_input_is_handled(
    store_url: str, unit: str
) -> None:
    bot = CrossOrgBot(store_url)
    try:
        await bot.command('open "Big" --sev 2 --tlp amber --org cert', name="alice", org="acme")
        text = (unit * (LIMIT // len(unit) + 1))[:LIMIT]
        worst = max(
            await lag_while(bot.say(text, name="alice", org="acme")),
            await lag_while(bot.command("note " + text[:-5], name="alice", org="acme")),
            await lag_while(bot.command("timeline", name="alice", org="acme")),
            await lag_while(bot.command("x" * 10 * LIMIT, name="alice", org="acme")),
        )
    finally:
        await bot.app.stop()
    assert worst < 0.1, f"the loop waited {worst * 1000:.0f} ms"
