"""warroom's one HTTP server: `/healthz` for every deployment, plus the adapters' routes
(Slack's HTTP events), each request translated to the port's neutral types and back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from aiohttp import web

from warroom.bot.config import ConfigError, listen_address
from warroom.bot.domain.port import ChatAdapter, Health, HttpRequest, HttpResponse, HttpRoute

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
SHUTDOWN_S = 5.0  # how long stopping waits for requests under way (streams end at once)
METRICS_PATH = "/metrics"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Scrape = Callable[[], bytes]  # the Prometheus exposition text (it may read the store)
Mount = Callable[[web.Application], None]  # adds a driving adapter's routes (the dashboard)


class HttpServer:
    """`start()` binds `listen` (port 0 picks a free one, then `port` is the bound one)."""

    def __init__(
        self,
        listen: str,
        adapters: Mapping[str, ChatAdapter],
        *,
        metrics: Scrape | None = None,
        mounts: Sequence[Mount] = (),
    ) -> None:
        self.host, self.port = listen_address(listen)
        self.adapters = adapters
        self.metrics = metrics
        self.mounts = mounts
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(HEALTH_PATH, self._health)
        if self.metrics is not None:
            app.router.add_get(METRICS_PATH, self._metrics)
        for adapter in self.adapters.values():
            for route in adapter.http_routes():
                app.router.add_route(route.method, route.path, _serve(route))
        for mount in self.mounts:
            mount(app)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_S
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            where = f"{self.host}:{self.port}"
            raise ConfigError("http.listen", f"cannot listen on {where}: {exc.strerror}") from None
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("serving HTTP on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        reports = {platform: _health_of(a) for platform, a in self.adapters.items()}
        ok = all(report.ok for report in reports.values())
        body = {
            "ok": ok,
            "adapters": {p: {"ok": r.ok, **r.details} for p, r in reports.items()},
        }
        return web.json_response(body, status=200 if ok else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        assert self.metrics is not None
        try:
            body = await asyncio.to_thread(self.metrics)  # the gauges read the store
        except Exception as exc:
            log.error("GET %s failed: %r", METRICS_PATH, exc)
            return web.Response(status=500, text="internal error")
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # Prometheus' text format


def _health_of(adapter: ChatAdapter) -> Health:
    try:
        return adapter.health()
    except Exception as exc:
        log.error("health of the %s adapter failed: %r", adapter.platform, exc)
        return Health(ok=False, details={"error": type(exc).__name__})


def _serve(route: HttpRoute) -> Handler:
    """An aiohttp handler for a neutral route: a failure is a bare 500 and one log line."""

    async def handle(request: web.Request) -> web.Response:
        neutral = HttpRequest(
            method=request.method,
            path=request.path,
            body=await request.read(),
            query=request.query_string,
            headers=_headers(request),
        )
        try:
            response: HttpResponse = await route.handler(neutral)
        except Exception as exc:
            log.error("%s %s failed: %r", request.method, request.path, exc)
            return web.Response(status=500, text="internal error")
        return web.Response(status=response.status, body=response.body, headers=response.headers)

    return handle


def _headers(request: web.Request) -> dict[str, str]:
    return {name.lower(): ", ".join(request.headers.getall(name)) for name in request.headers}
