"""warroom's one HTTP server, wired by app.py and reached over loopback: `/healthz` speaks for
every adapter, adapters' routes get neutral requests, and failures stay short."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import aiohttp
import pytest

from tests.fakes.adapter import FakeAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import Config, ConfigError, HttpConfig, StorageConfig
from warroom.bot.domain.port import ChatAdapter, Health, HttpRequest, HttpResponse, HttpRoute


class Unreachable(FakeAdapter):
    """A platform the bot has lost its connection to."""

    def health(self) -> Health:
        return Health(ok=False, details={"connected": False})


class Routed(FakeAdapter):
    """Serves `/fake/echo`, which answers with what it was given, and `/fake/broken`."""

    def http_routes(self) -> Sequence[HttpRoute]:
        return (
            HttpRoute("POST", "/fake/echo", self._echo),
            HttpRoute("GET", "/fake/broken", self._broken),
        )

    async def _echo(self, request: HttpRequest) -> HttpResponse:
        seen = {
            "method": request.method,
            "path": request.path,
            "body": request.body.decode(),
            "query": request.query,
            "x-test": request.headers.get("x-test"),
        }
        headers = {"Content-Type": "application/json", "X-Echo": "yes"}
        return HttpResponse(201, json.dumps(seen).encode(), headers)

    async def _broken(self, request: HttpRequest) -> HttpResponse:
        raise RuntimeError("secret detail of a bug")


@asynccontextmanager
async def serving(
    url: str, adapters: Mapping[str, ChatAdapter], listen: str = "127.0.0.1:0"
) -> AsyncIterator[tuple[App, str]]:
    config = Config(storage=StorageConfig(url=url), http=HttpConfig(listen=listen))
    app = build_app(config, adapters=adapters, serve_http=True)
    try:
        await app.start(outbox_interval=3600)
        assert app.http is not None
        yield app, f"http://127.0.0.1:{app.http.port}"
    finally:
        await app.stop()


async def test_health_is_ok_when_every_adapter_is(sqlite_url: str) -> None:
    async with (
        serving(sqlite_url, {"fake": Routed()}) as (_, base),
        aiohttp.ClientSession() as http,
        http.get(f"{base}/healthz") as response,
    ):
        assert response.status == 200
        assert await response.json() == {"ok": True, "adapters": {"fake": {"ok": True}}}


async def test_one_unhealthy_adapter_makes_health_503_and_says_which(sqlite_url: str) -> None:
    adapters = {"fake": Routed(), "lost": Unreachable("lost")}
    async with (
        serving(sqlite_url, adapters) as (_, base),
        aiohttp.ClientSession() as http,
        http.get(f"{base}/healthz") as response,
    ):
        assert response.status == 503
        assert await response.json() == {
            "ok": False,
            "adapters": {"fake": {"ok": True}, "lost": {"ok": False, "connected": False}},
        }


async def test_an_adapter_route_gets_the_request_and_its_answer_goes_back(
    sqlite_url: str,
) -> None:
    async with (
        serving(sqlite_url, {"fake": Routed()}) as (_, base),
        aiohttp.ClientSession() as http,
        http.post(f"{base}/fake/echo?a=1&b=2", data=b"hello", headers={"X-Test": "t"}) as response,
    ):
        assert response.status == 201
        assert response.headers["X-Echo"] == "yes"
        assert await response.json() == {
            "method": "POST",
            "path": "/fake/echo",
            "body": "hello",
            "query": "a=1&b=2",
            "x-test": "t",
        }


async def test_unknown_paths_and_methods_get_aiohttps_answers(sqlite_url: str) -> None:
    async with (
        serving(sqlite_url, {"fake": Routed()}) as (_, base),
        aiohttp.ClientSession() as http,
    ):
        async with http.get(f"{base}/nothing/here") as response:
            assert response.status == 404
        async with http.get(f"{base}/fake/echo") as response:
            assert response.status == 405
        async with http.post(f"{base}/healthz") as response:
            assert response.status == 405


async def test_a_failing_route_is_a_bare_500_and_one_log_line(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="warroom.bot.runtime.http")
    async with (
        serving(sqlite_url, {"fake": Routed()}) as (_, base),
        aiohttp.ClientSession() as http,
        http.get(f"{base}/fake/broken") as response,
    ):
        assert response.status == 500
        body = await response.text()
    assert "secret detail" not in body and "Traceback" not in body
    [record] = [r for r in caplog.records if r.name == "warroom.bot.runtime.http"]
    assert "/fake/broken" in record.getMessage() and "secret detail" in record.getMessage()
    assert record.exc_info is None


async def test_stop_frees_the_port_and_a_taken_port_names_http_listen(
    sqlite_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with serving(sqlite_url, {"fake": Routed()}) as (app, _):
        assert app.http is not None
        taken = f"127.0.0.1:{app.http.port}"
        other = f"sqlite:///{tmp_path_factory.mktemp('other') / 'warroom.db'}"
        with pytest.raises(ConfigError, match=r"http\.listen"):
            async with serving(other, {"fake": Routed()}, taken):
                pass
    async with serving(sqlite_url, {"fake": Routed()}, taken) as (again, _):
        assert again.http is not None and again.http.port == app.http.port


def test_build_app_serves_no_http_unless_asked(sqlite_url: str) -> None:
    app = build_app(Config(storage=StorageConfig(url=sqlite_url)), adapters={})
    assert app.http is None
    app.store.close()
