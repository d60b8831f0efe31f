"""Leader election on a PostgreSQL session advisory lock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, pg_schema_url
from warroom.bot.runtime.leader import AdvisoryLock

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs WARROOM_TEST_PG_URL (PostgreSQL)")


@pytest.fixture
def pg_url(store_url: str) -> Iterator[str]:
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    yield store_url


async def test_only_one_process_holds_the_scheduler_lock(pg_url: str) -> None:
    leader, standby = AdvisoryLock(pg_url, retry=0.05), AdvisoryLock(pg_url, retry=0.05)
    try:
        await asyncio.wait_for(leader.acquire(), 10)
        assert not await asyncio.to_thread(standby._try)
        await leader.release()  # the leader's session ends, as when its process dies
        await asyncio.wait_for(standby.acquire(), 10)
    finally:
        await leader.release()
        await standby.release()


async def test_a_leader_whose_session_ends_steps_down(pg_url: str) -> None:
    leader = AdvisoryLock(pg_url, retry=0.05)
    try:
        await asyncio.wait_for(leader.acquire(), 10)
        assert leader._conn is not None
        pid = leader._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        await asyncio.wait_for(leader.hold(), 10)  # returns: leadership is lost
        await asyncio.wait_for(leader.acquire(), 10)  # and can be won again
    finally:
        await leader.release()


async def test_deployments_in_other_schemas_do_not_compete(pg_url: str) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    other = pg_schema_url(PG_URL, schema)  # another deployment sharing the database
    here, there = AdvisoryLock(pg_url, retry=0.05), AdvisoryLock(other, retry=0.05)
    try:
        await asyncio.wait_for(here.acquire(), 10)
        await asyncio.wait_for(there.acquire(), 10)
    finally:
        await here.release()
        await there.release()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
