"""The one rule holds in what Slack and Matrix are handed: each org's card, its room's name
and topic, rendered as Block Kit and as Matrix HTML."""

from __future__ import annotations

import json

import pytest

from tests.fakes.crossorg import CrossOrgBot
from warroom.adapters.matrix.render import notice
from warroom.adapters.slack.render import render
from warroom.bot.domain.messages import Message

TITLE = "Board member phished, password: hunter22"


@pytest.fixture
async def red(store_url: str) -> CrossOrgBot:
    bot = CrossOrgBot(store_url)
    await bot.command(f'open "{TITLE}" --tlp red --org cert', name="alice", org="acme")
    await bot.command("update TLP:RED the CFO's mailbox is read", name="alice", org="acme")
    return bot


def cards_of(bot: CrossOrgBot, org: str) -> list[Message]:
    adapter = bot.adapter(org)
    room = bot.rooms[org]
    return [
        s.message
        for s in adapter.sent
        if s.kind in ("post", "edit") and s.room == room and s.message and s.message.fields
    ]


def both_renderings(message: Message) -> str:
    text, blocks = render(message)
    return json.dumps([text, blocks, notice(message)], ensure_ascii=False)


async def test_a_red_title_and_update_reach_no_other_orgs_card_on_either_platform(
    red: CrossOrgBot,
) -> None:
    for card in cards_of(red, "cert"):
        shown = both_renderings(card)
        assert "Board member" not in shown and "CFO" not in shown
        assert "INC-1 (title withheld: TLP:RED)" in shown
    acme = both_renderings(cards_of(red, "acme")[-1])
    assert "Board member phished" in acme and "CFO" in acme, "the room where it was said"
    assert "hunter22" not in acme, "secrets are redacted in every view"
    await red.app.stop()


async def test_room_names_and_topics_carry_no_withheld_title(red: CrossOrgBot) -> None:
    specs = {
        s.extra["spec"].org: s.extra["spec"]
        for adapter in (red.chat, red.mx)
        for s in adapter.of_kind("create_room")
    }
    cert = specs["cert"]
    assert cert.name == "inc-1" and cert.title == ""
    assert cert.heading == "INC-1 (title withheld: TLP:RED)"
    assert "Board" not in cert.topic
    assert specs["acme"].heading == "INC-1: Board member phished, password: [redacted]"
    await red.command("sev 1", name="alice", org="acme")  # the topic changes
    topics = [s.extra["topic"] for s in red.mx.of_kind("topic") + red.chat.of_kind("topic")]
    assert topics and not any("Board" in t for t in topics)
    await red.app.stop()


async def test_rooms_are_renamed_when_the_title_becomes_withheld_or_visible(
    store_url: str,
) -> None:
    bot = CrossOrgBot(store_url)
    try:
        await bot.command(
            'open "Phish at the helpdesk" --tlp green --org cert --org cloud',
            name="alice",
            org="acme",
        )
        cloud = bot.rooms["cloud"]
        await bot.command("tlp amber", name="alice", org="acme")  # above acme–cloud's GREEN
        [withheld] = [s.extra["spec"] for s in bot.adapter("cloud").of_kind("rename")]
        assert (withheld.name, withheld.heading) == ("inc-1", "INC-1 (title withheld: TLP:AMBER)")
        renamed = [s.room for a in (bot.chat, bot.mx) for s in a.of_kind("rename")]
        assert renamed == [cloud], "acme and cert may still see the title"
        await bot.command("tlp green", name="alice", org="acme")
        back = [s.extra["spec"] for s in bot.adapter("cloud").of_kind("rename")][-1]
        assert back.heading == "INC-1: Phish at the helpdesk"
        assert back.name == "inc-1-phish-at-the-helpdesk"
    finally:
        await bot.app.stop()
