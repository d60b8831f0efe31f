"""A 📌 on a message warroom never captured, with the text its platform gave: recorded as
said by the author's organisation, so the one disclosure rule reads the right sayer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fakes.crossorg import CrossOrgBot
from warroom.bot.domain.events import MessageRef, QuotedMessage, ReactionAdded
from warroom.bot.operations.export import incident_export


@pytest.fixture
async def orgs(store_url: str) -> AsyncIterator[CrossOrgBot]:
    bot = CrossOrgBot(store_url)
    await bot.command('open "Keys" --sev 1 --tlp amber --org cert', name="alice", org="acme")
    await bot.command("invite cloud", name="alice", org="acme")
    yield bot
    await bot.app.stop()


def timeline(bot: CrossOrgBot, as_org: str | None = None) -> list[dict[str, Any]]:
    data = bot.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=bot.config, as_org=as_org)
    )
    return list(data["timeline"])


async def pin(
    bot: CrossOrgBot, *, by: tuple[str, str], author: tuple[str, str], text: str
) -> None:
    room = bot.rooms["acme"]
    quoted = QuotedMessage(bot.actor(*author), text)
    event = ReactionAdded(
        bot.actor(*by), room, MessageRef(room, "never-captured"), "📌", "pin-1", quoted
    )
    await bot.app.core.handle(event)


async def test_a_pin_by_the_authors_org_is_the_highlighters_entry(orgs: CrossOrgBot) -> None:
    await pin(orgs, by=("bob", "acme"), author=("alice", "acme"), text="TLP:GREEN the key id")
    entry = timeline(orgs)[-1]
    assert entry["text"] == "📌 message of alice: TLP:GREEN the key id"
    assert (entry["actor"]["user_id"], entry["tlp"]) == ("bob", "GREEN")
    assert "the key id" in str(timeline(orgs, as_org="cloud"))  # GREEN: cloud's cap allows


async def test_a_pin_by_another_org_is_said_by_the_author_and_withheld_as_theirs(
    orgs: CrossOrgBot,
) -> None:
    text = "TLP:AMBER+STRICT the internal host name"
    await pin(orgs, by=("cora", "cert"), author=("alice", "acme"), text=text)
    entry = timeline(orgs)[-1]
    assert (entry["actor"]["org"], entry["tlp"]) == ("acme", "AMBER+STRICT")
    assert entry["text"] == f"📌 message of alice, highlighted by cora: {text}"
    assert "internal host name" in str(timeline(orgs, as_org="acme"))
    for reader in ("cert", "cloud"):  # not even the highlighter's org: it is acme's to share
        assert "internal host name" not in str(timeline(orgs, as_org=reader))


async def test_the_marking_comes_from_the_text_never_from_the_authors_name(
    orgs: CrossOrgBot,
) -> None:
    await pin(orgs, by=("bob", "acme"), author=("TLP:CLEAR eve", "acme"), text="plain words")
    assert timeline(orgs)[-1]["tlp"] == "AMBER"  # the incident's
