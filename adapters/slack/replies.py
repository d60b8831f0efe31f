"""Private answers to a slash command go to its `response_url`: that works in any channel,
even one the bot is not in, where chat.postEphemeral would fail."""

from __future__ import annotations

import time
from dataclasses import dataclass

LIFETIME_S = 25 * 60  # Slack accepts a response_url for 30 minutes
USES = 5  # and at most five times


@dataclass
class _Url:
    url: str
    expires: float
    uses: int = USES


class ResponseUrls:
    """The latest usable response_url per (workspace, channel, user)."""

    def __init__(self) -> None:
        self._urls: dict[tuple[str, str, str], _Url] = {}

    def remember(self, team: str, channel: str, user: str, url: str) -> None:
        if url:
            self._urls[(team, channel, user)] = _Url(url, time.monotonic() + LIFETIME_S)
            if len(self._urls) > 10_000:
                self._forget_expired()

    def take(self, team: str, channel: str, user: str) -> str | None:
        """A URL to answer on, counting the use; None when there is none left."""
        key = (team, channel, user)
        found = self._urls.get(key)
        if found is None or found.expires < time.monotonic() or found.uses <= 0:
            self._urls.pop(key, None)
            return None
        found.uses -= 1
        return found.url

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, v in self._urls.items() if v.expires < now]:
            del self._urls[key]
