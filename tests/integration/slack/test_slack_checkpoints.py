"""Checkpoints as a Slack workspace keeps them: message metadata in its own channel, read
back from the fake Slack and held against a database rewritten behind the bot's back."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.integration import tampering
from tests.integration.slack.rig import SlackRig
from warroom.bot.domain.checkpoint import Signed, documents_in
from warroom.bot.operations.audit import Witnesses, verify


def kept_by_slack(rig: SlackRig, path: Path) -> Path:
    """What a workspace admin exports of the channel: its messages' JSON, metadata and all."""
    channel = rig.fake.channels[rig.room_of()]
    path.write_text("\n".join(json.dumps(m) for m in channel.messages.values()))
    return path


def problems(rig: SlackRig, path: Path) -> list[str]:
    return problems_with(rig, list(documents_in(path.read_text())))


def problems_with(rig: SlackRig, kept: list[Signed]) -> list[str]:
    key = rig.app.services.checkpointer
    assert key is not None
    witnesses = Witnesses(kept, key.key.public_key())
    _, found = rig.app.store.transaction_sync(lambda uow: verify(uow, witnesses=witnesses))
    return [str(p) for p in found]


async def incident(rig: SlackRig) -> None:
    """Entries a minute apart, as people say them (what the clock says tells a reordering
    or an insertion from a plain rewrite)."""
    await rig.command('open "Customer DB credentials leaked" --sev 2')
    await rig.settle()
    for said in ("note rotated the leaked key", 'update "blocked" --state contained'):
        rig.clock.advance(timedelta(minutes=1))
        await rig.command(said, channel=rig.room_of())
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


@pytest.mark.parametrize("case", list(tampering.REWRITES))
async def test_each_rewrite_of_the_database_is_caught_by_slacks_copy(
    rig: SlackRig, tmp_path: Path, case: str
) -> None:
    await incident(rig)
    kept = kept_by_slack(rig, tmp_path / "slack.json")
    rewrite, named = tampering.REWRITES[case]
    rewrite(rig.app.store.engine)
    found = problems(rig, kept)
    assert any(named in p for p in found), found


@pytest.mark.parametrize("case", list(tampering.FORGERIES))
async def test_each_forgery_of_slacks_copy_is_named(
    rig: SlackRig, tmp_path: Path, case: str
) -> None:
    await incident(rig)
    forge, named = tampering.FORGERIES[case]
    kept = list(documents_in(kept_by_slack(rig, tmp_path / "slack.json").read_text()))
    found = problems_with(rig, forge(rig.app.store.engine, kept))
    assert any(named in p for p in found), found
