"""Checkpoints as a Matrix room keeps them: in the event content of the bot's notices, read
by a person's own client from the encrypted room and held against a rewritten database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine

from tests.integration import tampering
from tests.integration.matrix.conftest import Bot
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import command, open_incident
from warroom.bot.domain.checkpoint import Signed, documents_in
from warroom.bot.operations.audit import Witnesses, verify
from warroom.storage.store import Store


async def test_every_rewrite_and_forgery_is_caught_by_what_a_matrix_room_kept(
    bot: Bot, alice: Human, tmp_path: Path
) -> None:
    room = await open_incident(alice, bot, "Witnessed head")  # a room alias of its own
    await alice.wait_notice(room, bot.user_id, "🔏 INC-1 #")
    await command(alice, room, bot, "!incident note rotated the leaked key", "noted")
    await command(alice, room, bot, '!inc update "blocked" --state contained', "status update")
    await alice.wait_for(
        lambda: sum("🔏 INC-1" in n.body for n in alice.notices(room, bot.user_id)) >= 2
    )
    events = [n.source for n in alice.notices(room, bot.user_id)]
    kept = tmp_path / "matrix-events.json"
    kept.write_text(json.dumps(events))
    assert all(
        "org.warroom.checkpoint" in e["content"] for e in events if "🔏" in e["content"]["body"]
    )
    checkpointer = bot.app.services.checkpointer
    assert checkpointer is not None
    witnesses = Witnesses(list(documents_in(kept.read_text())), checkpointer.key.public_key())
    assert len(witnesses.checkpoints) >= 2

    def problems(store: Store, checkpoints: list[Signed]) -> list[str]:
        checked = Witnesses(checkpoints, witnesses.key)
        _, found = store.transaction_sync(lambda uow: verify(uow, witnesses=checked))
        return [str(p) for p in found]

    assert problems(bot.app.store, list(witnesses.checkpoints)) == []
    named: dict[str, list[str]] = {}
    for case, (rewrite, words) in tampering.REWRITES.items():
        with copy_of(bot.app.store, tmp_path / f"{case}.db") as (engine, store):
            rewrite(engine)
            named[case] = [p for p in problems(store, list(witnesses.checkpoints)) if words in p]
    for case, (forge, words) in tampering.FORGERIES.items():
        with copy_of(bot.app.store, tmp_path / f"{case}.db") as (engine, store):
            forged = forge(engine, witnesses.checkpoints)
            named[case] = [p for p in problems(store, forged) if words in p]
    assert [case for case, found in named.items() if not found] == [], named


@contextmanager
def copy_of(store: Store, path: Path) -> Iterator[tuple[Engine, Store]]:
    """The bot's database as it stands, copied to `path` to be tampered with."""
    with store.engine.connect() as conn:
        source = conn.connection.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(path)
        source.backup(target)
        target.close()
    url = f"sqlite:///{path}"
    engine, copy = create_engine(url), Store(url)
    try:
        yield engine, copy
    finally:
        copy.close()
        engine.dispose()
