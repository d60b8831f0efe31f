"""The incident list's filters, read from the query string: a bad one is a 400, not a guess."""

from __future__ import annotations

from collections.abc import Mapping

from warroom.bot.domain.dashboard import ListFilter
from warroom.bot.domain.language import Language
from warroom.bot.domain.vocabulary import State

MAX_PAGE = 100_000


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
    page = query.get("page") or "1"
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        raise BadFilter(lang.format("page: {value!r} is not a page number", value=page))
    return ListFilter(
        state=state,
        severity=int(severity) if severity else None,
        org=(query.get("org") or None),
        exercise=None if exercise is None else exercise == "yes",
        page=int(page),
    )
