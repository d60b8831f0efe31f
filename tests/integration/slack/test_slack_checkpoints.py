"""Checkpoints as a Slack workspace keeps them: message metadata in its own channel, read
back from the fake Slack and held against a database rewritten behind the bot's back."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration import tampering
from tests.integration.slack.rig import SlackRig
from warroom.bot.domain.checkpoint import documents_in
from warroom.bot.operations.audit import Witnesses, verify


def kept_by_slack(rig: SlackRig, path: Path) -> Path:
    """What a workspace admin exports of the channel: its messages' JSON, metadata and all."""
    channel = rig.fake.channels[rig.room_of()]
    path.write_text("\n".join(json.dumps(m) for m in channel.messages.values()))
    return path


def problems(rig: SlackRig, path: Path) -> list[str]:
    key = rig.app.services.checkpointer
    assert key is not None
    witnesses = Witnesses(list(documents_in(path.read_text())), key.key.public_key())
    _, found = rig.app.store.transaction_sync(lambda uow: verify(uow, witnesses=witnesses))
    return [str(p) for p in found]


async def incident(rig: SlackRig) -> None:
    await rig.command('open "Customer DB credentials leaked" --sev 2')
    await rig.settle()
    await rig.command("note rotated the leaked key", channel=rig.room_of())
    await rig.command('update "blocked" --state contained', channel=rig.room_of())
    await rig.settle()


async def test_checkpoints_are_posted_with_their_statement_as_message_metadata(
    rig: SlackRig, tmp_path: Path
) -> None:
    await incident(rig)
    channel = rig.fake.channels[rig.room_of()]
    lines = [m for m in channel.messages.values() if "🔏 INC-1" in m["text"]]
    assert len(lines) >= 2
    assert all(m["metadata"]["event_type"] == "warroom_checkpoint" for m in lines)
    assert all("signature" in m["metadata"]["event_payload"] for m in lines)
    assert problems(rig, kept_by_slack(rig, tmp_path / "slack.json")) == []


async def test_a_rewrite_with_recomputed_hashes_is_caught_by_slacks_copy(
    rig: SlackRig, tmp_path: Path
) -> None:
    await incident(rig)
    kept = kept_by_slack(rig, tmp_path / "slack.json")
    seq = next(e["seq"] for e in tampering.rows(rig.app.store.engine) if "rotated" in e["text"])
    tampering.edit_entry(rig.app.store.engine, seq, "nothing happened")
    found = problems(rig, kept)
    assert any("rewritten and the hashes recomputed" in p for p in found), found


async def test_a_cut_tail_is_caught_by_slacks_copy(rig: SlackRig, tmp_path: Path) -> None:
    await incident(rig)
    kept = kept_by_slack(rig, tmp_path / "slack.json")
    tampering.cut_tail(rig.app.store.engine, 3)
    found = problems(rig, kept)
    assert any("its tail was cut" in p for p in found), found
