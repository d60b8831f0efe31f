"""Similar past incidents, told privately to whoever opens a new one: how each ended."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.bot.config import Config
from warroom.bot.domain.language import Language
from warroom.bot.domain.messages import Message
from warroom.bot.operations import search as archive
from warroom.bot.operations.effects import SuggestSimilar
from warroom.bot.operations.metrics import in_words, metrics
from warroom.storage.store import UnitOfWork


def suggested(uow: UnitOfWork, config: Config, effect: SuggestSimilar) -> Message | None:
    """What to tell the opener, in their language; None when nothing is like it."""
    found = archive.similar(uow, config, effect.org, effect.title)
    return suggestions(found, config.language(effect.org)) if found else None


def suggestions(found: Sequence[archive.Found], lang: Language) -> Message:
    """Similar past incidents with how each ended: state, time to resolve, resolve text."""
    lines = []
    for one in found:
        took = in_words(metrics(one.incident)["time_to_resolve_s"], lang)
        lines.append(one.title)
        lines.append(
            "    "
            + lang.format(
                "{date} · {state} · time to resolve: {took}",
                date=lang.date(one.incident.opened_at),
                state=one.incident.state,
                took=took,
            )
        )
        if one.resolved:
            lines.append(f"    {one.resolved}")
    return Message(
        title=lang.gettext("Similar past incidents"),
        body="\n".join(lines),
        footer=lang.gettext("`search WORDS` looks through the whole archive"),
        tlp=max(f.tlp for f in found).label,
    )
