"""What every dashboard response carries, and the checks of who asks and of forms."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from warroom.bot.domain.dashboard import Viewer

SESSION_COOKIE = "warroom_session"
CSRF_FIELD = "csrf"

# No inline script or style anywhere: the pages load our own files only.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the login URL holds a token
    "X-Frame-Options": "DENY",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guarded(response: web.StreamResponse) -> web.StreamResponse:
    """`response` with the safety headers (before it is sent)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@web.middleware
async def safety_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    if not response.prepared:
        guarded(response)
    if isinstance(response, web.HTTPException):
        raise response
    return response


def form_is_ours(viewer: Viewer, sent: object) -> bool:
    """The form carries this session's CSRF token (compared in constant time)."""
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), viewer.csrf.encode())
