"""The incident list's filters, read from the query string: a bad one is a 400, not a guess."""

from __future__ import annotations

import re
from collections.abc import Mapping

from warroom.bot.domain.dashboard import ListFilter
from warroom.bot.domain.language import Language
from warroom.bot.domain.vocabulary import State

CURSOR = re.compile(r"[od][0-9]{1,10}")  # after an open or a done incident of that number


class BadFilter(Exception):
    pass


def list_filter(query: Mapping[str, str], lang: Language) -> ListFilter:
    state = query.get("state") or None
    if state is not None and state not in {s.value for s in State}:
        raise BadFilter(lang.format("state: {value!r} is not a state", value=state))
    severity = query.get("sev") or None
    if severity is not None and severity not in ("1", "2", "3", "4"):
        raise BadFilter(lang.format("sev: {value!r} is not 1 to 4", value=severity))
    exercise = query.get("exercise") or None
    if exercise is not None and exercise not in ("yes", "no"):
        raise BadFilter(lang.format("exercise: {value!r} is not yes or no", value=exercise))
    after = query.get("after") or None
    if after is not None and not CURSOR.fullmatch(after):
        raise BadFilter(lang.format("after: {value!r} is not a place in the list", value=after))
    return ListFilter(
        state=state,
        severity=int(severity) if severity else None,
        org=(query.get("org") or None),
        exercise=None if exercise is None else exercise == "yes",
        after=after,
    )
