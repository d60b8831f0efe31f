"""Slack Web API clients, one per workspace, with bounded 429 retries and error mapping.

A workspace's token comes from config (`bot_token_env`) or from its installation (Slack's
OAuth flow), which may have happened in another warroom process: a workspace this process
does not know is looked up in the database, and one whose token Slack no longer takes is
looked up again (uninstalled, or reinstalled with a new token).

Every failure leaves here as an `AdapterError`: retryable when Slack is down, slow or
rate-limiting, not retryable when Slack refused the call for good (`channel_not_found`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from warroom.bot.domain.port import AdapterError

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3  # then the call fails and the outbox takes over
MAX_RETRY_AFTER_S = 30.0  # a longer Retry-After is left to the outbox's backoff
# Errors that mean "try again later"; any other `ok: false` is Slack's final answer.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
)

# Slack's answers to a token it no longer takes.
TOKEN_GONE = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})

Sleep = Callable[[float], Awaitable[None]]


class InstalledTokens(Protocol):
    """Installed workspaces' bot tokens (installations.py: in warroom's database)."""

    async def token(self, team: str) -> str | None: ...
    async def tokens(self) -> dict[str, str]: ...


class SlackCallError(AdapterError):
    """Slack answered `ok: false`; `error` is its code (`name_taken`, `not_in_channel`, ...)."""

    def __init__(
        self, method: str, error: str, *, retryable: bool, rate_limited: bool = False
    ) -> None:
        super().__init__(
            f"slack {method}: {error}", retryable=retryable, rate_limited=rate_limited
        )
        self.method = method
        self.error = error


class BoundedRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """Honours 429 + Retry-After a few times, but never waits longer than `max_wait`."""

    def __init__(
        self,
        max_retry_count: int = RATE_LIMIT_RETRIES,
        *,
        max_wait: float = MAX_RETRY_AFTER_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self._sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return retry_after(response) <= self.max_wait

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None
        wait = retry_after(response)
        log.info("slack rate-limited %s; retrying in %.1fs", request.url, wait)
        state.next_attempt_requested = True
        await self._sleep(wait + random.uniform(0, 0.05) * wait)
        state.increment_current_attempt()


def retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


def retry_handlers() -> list[AsyncRetryHandler]:
    """One quick retry of a dropped connection, bounded 429 retries; the outbox does the rest."""
    reconnect = AsyncConnectionErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.25)
    )
    return [reconnect, BoundedRateLimitHandler()]


class SlackApi:
    """The bot's Web API clients, one per workspace: configured (team id -> bot token) or
    installed (`installed`, bound before `open`)."""

    def __init__(self, api_url: str, tokens: Mapping[str, str], *, timeout: int = 10) -> None:
        self.api_url = api_url
        self.tokens = dict(tokens)  # from config: they never change while running
        self.installed: InstalledTokens | None = None
        self.timeout = timeout
        self.session: aiohttp.ClientSession | None = None
        self._live: dict[str, str] = {}  # installed workspaces' tokens, as last read
        self._clients: dict[str, AsyncWebClient] = {}

    async def open(self) -> None:
        """Open the HTTP session and read every installation: a token key that cannot open
        one stops start-up here."""
        self.session = aiohttp.ClientSession()
        self._clients = {}
        if self.installed is not None:
            for team, token in (await self.installed.tokens()).items():
                self.add(team, token)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    def new_client(self, token: str | None = None) -> AsyncWebClient:
        return AsyncWebClient(
            token=token,
            base_url=self.api_url,
            timeout=self.timeout,
            session=self.session,
            retry_handlers=retry_handlers(),
        )

    def add(self, team: str, token: str) -> None:
        """An installed workspace's token, new or replaced (a reinstall)."""
        if team not in self.tokens:
            self._live[team] = token

    def forget(self, team: str) -> None:
        """An uninstalled workspace: its token is dropped (config's are kept)."""
        self._live.pop(team, None)
        if team not in self.tokens:
            self._clients.pop(team, None)

    def teams(self) -> list[str]:
        """The workspaces this process has a token for now."""
        return sorted({*self.tokens, *self._live})

    async def token(self, team: str) -> str | None:
        """The workspace's bot token: config's, else its installation's (looked up in the
        database the first time, as another process may have installed it)."""
        known = self.tokens.get(team) or self._live.get(team)
        if known is not None or self.installed is None or not team:
            return known
        found = await self.installed.token(team)
        if found is not None:
            self.add(team, found)
        return found

    async def client(self, team: str) -> AsyncWebClient:
        token = await self.token(team)
        if token is None:
            raise AdapterError(f"no bot token for Slack workspace {team!r}", retryable=False)
        client = self._clients.get(team)
        if client is None or client.token != token:
            client = self._clients[team] = self.new_client(token)
        return client

    async def call(self, team: str, method: str, **kwargs: Any) -> AsyncSlackResponse:
        """`method` is the SDK's name (`chat_postMessage`); failures become AdapterErrors.
        An installed workspace's token that Slack refuses is read again from its
        installation, and the call made once more if another process had replaced it."""
        try:
            return await self._call(team, method, **kwargs)
        except SlackCallError as exc:
            stale = self._live.get(team)
            if exc.error not in TOKEN_GONE or stale is None:
                raise
            self.forget(team)
            if await self.token(team) in (None, stale):
                raise
            return await self._call(team, method, **kwargs)

    async def _call(self, team: str, method: str, **kwargs: Any) -> AsyncSlackResponse:
        client = await self.client(team)
        try:
            response: AsyncSlackResponse = await getattr(client, method)(**kwargs)
            return response
        except SlackApiError as exc:
            error = str(exc.response.get("error", "") or f"http_{exc.response.status_code}")
            status = exc.response.status_code
            retryable = status == 429 or status >= 500 or error in RETRYABLE_ERRORS
            limited = status == 429
            raise SlackCallError(
                method, error, retryable=retryable, rate_limited=limited
            ) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise AdapterError(f"slack {method}: {type(exc).__name__}: {exc}") from None
