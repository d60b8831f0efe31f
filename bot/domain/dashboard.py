"""The port the web dashboard drives: who is signed in, and the read models it shows.

The web adapter sees only these types; `bot/operations/dashboard.py` answers them, every
text through the one disclosure rule. Read models are plain JSON-like mappings (the export's
public shape and its siblings), so a template or an event stream can carry them as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from warroom.bot.domain.language import Language

View = Mapping[str, Any]
Unsubscribe = Callable[[], None]


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: what their organisation may see is what the pages show."""

    platform: str
    workspace: str
    user_id: str
    display: str
    org: str
    csrf: str  # the token every form that changes something carries


@dataclass(frozen=True)
class SignedIn:
    cookie: str  # the session's secret: only its hash is stored
    viewer: Viewer
    expires_at: datetime


@dataclass(frozen=True)
class ListFilter:
    state: str | None = None
    severity: int | None = None
    org: str | None = None
    exercise: bool | None = None
    after: str | None = None  # where the page starts: a cursor the previous page gave


@dataclass(frozen=True)
class EntriesAfter:
    """What a viewer may see of an incident's timeline after `seq`, and the newest seq."""

    entries: Sequence[View]
    head: int


class Dashboard(Protocol):
    session_lifetime: timedelta
    secure_cookies: bool  # the dashboard is served under https

    def language(self, org: str) -> Language: ...
    async def sign_in(self, token: str) -> SignedIn | None: ...
    async def viewer(self, cookie: str) -> Viewer | None: ...
    async def sign_out(self, cookie: str) -> None: ...
    async def incidents(self, viewer: Viewer, wanted: ListFilter) -> View: ...
    async def incident(self, viewer: Viewer, key: str, *, before: int | None) -> View | None: ...
    async def entries_after(self, viewer: Viewer, key: str, seq: int) -> EntriesAfter | None: ...
    async def head(self, key: str) -> int | None: ...
    async def indicators(self, viewer: Viewer) -> View: ...
    async def export(self, viewer: Viewer, key: str, form: str) -> str | None: ...


class TimelineNews(Protocol):
    """Tells who listens which incidents got new entries in this process."""

    def subscribe(self, listener: Callable[[int], None]) -> Unsubscribe: ...
