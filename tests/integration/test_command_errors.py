"""Every wrong input answers one line plus usage, to the caller only, and changes nothing."""

from __future__ import annotations

import pytest

from tests.fakes.bot import TestBot
from tests.fakes.snapshot import snapshot

BAD_INPUTS = [
    # (who, command, expected reason)
    ("alice", "frobnicate", "unknown command 'frobnicate'"),
    ("alice", "open", "TITLE is missing"),
    ("alice", "open --sev 2", "TITLE is missing"),
    ("alice", 'open "x" --sev 7', "--sev must be 1 to 4"),
    ("alice", 'open "x" --sev', "--sev needs a value"),
    ("alice", 'open "x" --tlp purple', "unknown TLP level 'purple'"),
    ("alice", 'open "x" --color red', "unknown option --color"),
    ("alice", 'open "x" --org nowhere', "unknown organisation 'nowhere'"),
    ("alice", 'open "x" --sev 1 --sev 2', "--sev given twice"),
    ("alice", "sev 7", "LEVEL must be 1 to 4"),
    ("alice", "sev", "LEVEL is missing"),
    ("alice", "sev 2", "already SEV2"),
    ("alice", "tlp purple", "unknown TLP level 'purple'"),
    ("alice", "tlp amber", "already TLP:AMBER"),
    ("alice", "note", "TEXT is missing"),
    ("alice", "update", "TEXT is missing"),
    ("alice", 'update "x" --state exploded', "--state must be one of"),
    ("alice", "role boss @bob", "ROLE must be one of"),
    ("alice", "role scribe", "@user is missing"),
    ("alice", "role scribe bob", "USER must be a person like @name"),
    ("alice", "role commander @alice", "already commander"),
    ("alice", "timeline --last 0", "--last must be a positive whole number"),
    ("alice", "timeline --last many", "--last must be a positive whole number"),
    ("alice", "note hi --id INC-99", "there is no incident INC-99"),
    ("alice", "note hi --id 7", "--id must be an incident key like INC-7"),
    ("alice", "close", "`resolve` it first"),
    ("alice", "invite nowhere", "unknown organisation 'nowhere'"),
    ("alice", "invite @alice", "already takes part"),
    ("alice", "help frobnicate", "no command 'frobnicate'"),
    ("alice", "roles extra words", "unexpected 'extra words'"),
    ("mallory", "note I was never invited", "not allowed: you are not a participant"),
    ("mallory", "sev 1", "not allowed: only the commander or deputy"),
    ("mallory", "resolve", "not allowed: only the commander or deputy"),
    ("mallory", "role scribe @mallory", "not allowed: only the commander or deputy"),
    ("bob", "sev 1", "not allowed: only the commander or deputy"),
    ("bob", "tlp red", "not allowed: only the commander or deputy"),
    ("bob", 'update "contained" --state contained', "not allowed: only the commander"),
    ("bob", "close", "not allowed: only the commander or deputy"),
    ("bob", "invite acme", "not allowed: only the commander or deputy"),
]


@pytest.mark.parametrize(("who", "text", "reason"), BAD_INPUTS)
async def test_bad_input_answers_the_caller_alone_and_changes_nothing(
    bot: TestBot, who: str, text: str, reason: str
) -> None:
    await bot.open()
    await bot.send("invite @bob")
    before = snapshot(bot.app.store.engine)

    sent = await bot.send(text, user=who)

    assert [s.kind for s in sent] == ["notify"], sent
    assert sent[0].user is not None and sent[0].user.user_id == who
    body = sent[0].message.body if sent[0].message else ""
    assert reason in body
    assert "\n" not in body, "the reason is one line"
    assert sent[0].message is not None and sent[0].message.footer.startswith(("usage:", "try"))
    assert snapshot(bot.app.store.engine) == before


async def test_a_command_outside_a_war_room_needs_an_incident_id(bot: TestBot) -> None:
    sent = await bot.send("note hello")
    assert "not a war room" in sent[0].text
    assert "--id INC-N" in sent[0].text
