"""Rate limiting turned on: a second Synapse with a tight message limit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from nio import ErrorResponse
from sqlmodel import select

from tests.integration.matrix.conftest import Bot, bot_config, new_human, start_bot, unique
from tests.integration.matrix.homeserver import Homeserver
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import export, open_incident
from warroom.adapters.matrix.adapter import MatrixAdapter
from warroom.adapters.matrix.factory import settings_from
from warroom.storage.models import Outbox

STEPS = [f"step-{i:02d}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    server = Homeserver(
        tmp_path_factory.mktemp("limited"), message_limit={"per_second": 2, "burst_count": 3}
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def limited_bot(
    limited: Homeserver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    account = limited.register(unique("warroom"))
    monkeypatch.setenv("WARROOM_TEST_LIMITED_PASSWORD", account.password)
    bot = await start_bot(bot_config(limited, account, tmp_path, "WARROOM_TEST_LIMITED_PASSWORD"))
    yield bot
    await bot.app.stop()


async def test_under_rate_limits_every_command_lands_in_order(
    limited: Homeserver, limited_bot: Bot, tmp_path: Path
) -> None:
    bot = limited_bot
    refusals: list[ErrorResponse] = []

    async def count(response: ErrorResponse) -> None:
        if response.status_code == "M_LIMIT_EXCEEDED":
            refusals.append(response)

    bot.adapter.client.add_response_callback(count, ErrorResponse)
    alice: Human = await new_human(limited, "alice", tmp_path)
    try:
        room = await open_incident(alice, bot, "Noisy neighbour")
        for step in STEPS:
            await alice.say(room, f"!inc note {step}")

        def replies() -> list[str]:
            return [
                step
                for n in alice.notices(room, bot.user_id)
                if "noted" in n.body
                for step in STEPS
                if step in n.body
            ]

        await alice.wait_for(lambda: len(replies()) == len(STEPS))
        assert replies() == STEPS, "answers arrive in the order the commands were typed"
        notes = [e["text"] for e in export(bot)["timeline"] if e["kind"] == "note"]
        assert notes == STEPS
        assert refusals, "the homeserver did rate-limit the bot"
        # Synapse rounds the wait down, so a refusal just before the bucket refills says 0 ms.
        assert all(r.retry_after_ms is not None for r in refusals), "each says how long to wait"
    finally:
        await alice.stop()


async def test_sends_the_homeserver_refuses_are_retried_from_the_outbox(
    limited: Homeserver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = limited.register(unique("warroom"))
    monkeypatch.setenv("WARROOM_TEST_LIMITED_PASSWORD", account.password)
    config = bot_config(limited, account, tmp_path, "WARROOM_TEST_LIMITED_PASSWORD")
    impatient = replace(settings_from(config), max_rate_limited=0)  # no 429 retries in nio
    bot = await start_bot(config, MatrixAdapter(impatient, org_of=lambda user: "cert"))
    alice = await new_human(limited, "alice", tmp_path)
    try:
        room = await open_incident(alice, bot, "Flaky link")
        steps = STEPS[:6]
        for step in steps:
            await alice.say(room, f"!inc note {step}")
        for step in steps:
            await alice.wait_notice(room, bot.user_id, step)
        notes = [e["text"] for e in export(bot)["timeline"] if e["kind"] == "note"]
        assert notes == steps
        await alice.wait_for(
            lambda: bot.app.store.transaction_sync(lambda uow: uow.outbox.pending_count()) == 0
        )
        rows = bot.app.store.transaction_sync(lambda uow: uow.session.exec(select(Outbox)).all())
        queued = [r for r in rows if r.action == "post"]  # answers the core had to queue
        assert queued, "some answers were refused and went through the outbox"
        assert all(r.done_at and not r.failed_at for r in rows), "everything was delivered"
    finally:
        await alice.stop()
        await bot.app.stop()
