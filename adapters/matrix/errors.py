"""matrix-nio results and failures as the port's AdapterError, retryable or not."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from aiohttp import ClientError
from nio import ErrorResponse, LocalProtocolError, SendRetryError

from warroom.bot.domain.port import AdapterError

T = TypeVar("T")
RETRYABLE_CODES = {"M_LIMIT_EXCEEDED", "M_UNKNOWN", None}


def retryable(response: ErrorResponse) -> bool:
    if response.status_code in RETRYABLE_CODES:
        return True
    transport: Any = getattr(response, "transport_response", None)
    return transport is not None and transport.status >= 500


async def reached(call: Awaitable[T], what: str) -> T:
    """Await a nio call; a transport failure (homeserver down, timeout) becomes a retryable
    AdapterError. Error responses are returned for the caller to judge (see `ok`)."""
    try:
        return await call
    except (ClientError, TimeoutError, SendRetryError, LocalProtocolError) as exc:
        raise AdapterError(f"{what}: {type(exc).__name__}: {exc}", retryable=True) from exc


def ok(result: T, what: str) -> T:
    """`result`, unless it is an error response: then AdapterError, retryable for rate
    limits and server errors so the outbox tries again."""
    if isinstance(result, ErrorResponse):
        limited = result.status_code == "M_LIMIT_EXCEEDED"
        raise AdapterError(f"{what}: {result}", retryable=retryable(result), rate_limited=limited)
    return result


async def checked(call: Awaitable[T], what: str) -> T:
    return ok(await reached(call, what), what)
