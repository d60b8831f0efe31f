"""Checkpoints as a Matrix room keeps them: in the event content of the bot's notices, read
by a person's own client from the encrypted room and held against a rewritten database."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration import tampering
from tests.integration.matrix.conftest import Bot
from tests.integration.matrix.human import Human
from tests.integration.matrix.scenario import command, open_incident
from warroom.bot.domain.checkpoint import documents_in
from warroom.bot.operations.audit import Witnesses, verify


async def test_a_rewrite_is_caught_by_the_checkpoints_a_matrix_room_kept(
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

    def problems() -> list[str]:
        _, found = bot.app.store.transaction_sync(lambda uow: verify(uow, witnesses=witnesses))
        return [str(p) for p in found]

    assert problems() == []
    engine = bot.app.store.engine
    seq = next(e["seq"] for e in tampering.rows(engine) if "rotated" in e["text"])
    tampering.edit_entry(engine, seq, "nothing happened")
    found = problems()
    assert any("rewritten and the hashes recomputed" in p for p in found), found
