"""Delivering the suggestions at `open`: the archive is searched when the item is delivered,
after the answer, so the opener is not kept waiting for it."""

from __future__ import annotations

from functools import partial

from warroom.bot.operations.effects import SuggestSimilar
from warroom.bot.operations.suggestions import suggested
from warroom.bot.runtime.outbox import Claimed, OutboxDispatcher


async def suggest_similar(
    dispatcher: OutboxDispatcher, item: Claimed, effect: SuggestSimilar
) -> None:
    message = await dispatcher.store.transaction(
        partial(suggested, config=dispatcher.config, effect=effect)
    )
    if message is not None:
        await dispatcher.adapter(effect.room.platform).notify(effect.user, effect.room, message)
