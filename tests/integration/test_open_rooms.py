"""The port's OpenRooms from the database: each open war room on a platform, and the newest
message captured from it, where catching up starts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.runtime.open_rooms import StoredOpenRooms


@pytest.fixture
async def orgs(store_url: str) -> AsyncIterator[CrossOrgBot]:
    bot = CrossOrgBot(store_url)
    await bot.command('open "Keys" --tlp green --org cert', name="alice", org="acme")
    await bot.command("invite cloud", name="alice", org="acme")
    yield bot
    await bot.app.stop()


async def test_each_open_room_comes_with_the_newest_message_said_in_it(
    orgs: CrossOrgBot,
) -> None:
    await orgs.say("first", name="alice", org="acme")
    newest_acme = await orgs.say("second", name="alice", org="acme")
    newest_cloud = await orgs.say("from the cloud", name="carl", org="cloud")
    rooms = StoredOpenRooms(orgs.app.store)

    chat = {r.room: r.newest_message_id for r in await rooms("chat")}
    assert chat == {orgs.rooms["acme"]: newest_acme, orgs.rooms["cloud"]: newest_cloud}
    (cert,) = await rooms("mx")
    assert (cert.room, cert.newest_message_id) == (orgs.rooms["cert"], "")
    assert cert.since == orgs.clock.now()


async def test_a_closed_incident_has_no_room_to_catch_up_on(orgs: CrossOrgBot) -> None:
    await orgs.command("resolve", name="alice", org="acme")
    assert len(await StoredOpenRooms(orgs.app.store)("chat")) == 2, "resolved rooms still listen"
    await orgs.command("close", name="alice", org="acme")
    assert await StoredOpenRooms(orgs.app.store)("chat") == []
