"""The incident page's live stream: Server-Sent Events of the entries the viewer's
organisation may see, woken by the core's news in this process and by a cheap look at the
timeline head otherwise (several processes on PostgreSQL, or `warroom web` alone).
Each event's id is its entry's seq: a browser that reconnects (`Last-Event-ID`) gets what it
missed, nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from warroom.adapters.web import views
from warroom.adapters.web.safety import guarded
from warroom.bot.domain.dashboard import Dashboard, EntriesAfter, TimelineNews, Viewer

KEEPALIVE_S = 15.0  # a comment line now and then, so proxies keep the connection
SESSION_CHECK_S = 30.0  # an ended or expired session stops its streams this soon


class Streams:
    def __init__(
        self,
        dashboard: Dashboard,
        viewer: Callable[[web.Request], Awaitable[Viewer | None]],
        *,
        news: TimelineNews | None,
        poll_s: float,
    ) -> None:
        self.dashboard = dashboard
        self.viewer = viewer
        self.news = news
        self.poll_s = poll_s
        self._wakes: set[asyncio.Event] = set()
        self._closing = asyncio.Event()

    async def serve(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        if viewer is None:
            return views.sign_in_first()
        key = request.match_info["key"].upper()
        after = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
        lang = self.dashboard.language(viewer.org)
        if not after.isdigit():
            return views.refused(lang.gettext("after: not an entry number"))
        found = await self.dashboard.entries_after(viewer, key, int(after))
        if found is None:
            return views.not_found(lang)
        response = guarded(web.StreamResponse(headers=_EVENT_STREAM))
        await response.prepare(request)
        wake = asyncio.Event()
        self._wakes.add(wake)
        unsubscribe = self.news.subscribe(lambda _id: wake.set()) if self.news else None
        try:
            await self._follow(request, response, viewer, key, found, wake)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._wakes.discard(wake)
            if unsubscribe is not None:
                unsubscribe()
        return response

    async def _follow(
        self,
        request: web.Request,
        response: web.StreamResponse,
        viewer: Viewer,
        key: str,
        found: EntriesAfter,
        wake: asyncio.Event,
    ) -> None:
        loop = asyncio.get_running_loop()
        quiet_since = checked_at = loop.time()
        while not self._closing.is_set():
            for entry in found.entries:
                data = json.dumps(entry, ensure_ascii=False)
                await response.write(
                    f"id: {entry['seq']}\nevent: entry\ndata: {data}\n\n".encode()
                )
                quiet_since = loop.time()
            seq = found.head
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.poll_s)
            wake.clear()  # news from now on wakes the next wait; what came before is read next
            if loop.time() - checked_at > SESSION_CHECK_S:
                if await self.viewer(request) is None:
                    return
                checked_at = loop.time()
            head = await self.dashboard.head(key)
            if head is None:
                return
            if head > seq:
                found = await self.dashboard.entries_after(viewer, key, seq) or found
                if found.head <= seq:
                    return  # no longer the viewer's to see
            else:
                found = EntriesAfter(entries=(), head=seq)
                if loop.time() - quiet_since > KEEPALIVE_S:
                    await response.write(b": keepalive\n\n")
                    quiet_since = loop.time()

    async def close(self, _app: web.Application) -> None:
        """The server is stopping: every stream ends now rather than at its next event."""
        self._closing.set()
        for wake in list(self._wakes):
            wake.set()


_EVENT_STREAM = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: do not hold the events back
}
