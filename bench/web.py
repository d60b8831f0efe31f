"""The web dashboard's speed on SQLite: server time of the incident list with 100,000
incidents and of an incident page with a 10,000-entry timeline (the page shows the newest
200 entries the viewer may see, with a link to older ones), and entry added -> event at a
real browser's EventSource (Debian's chromium through Playwright).

The floor, measured in the same run: a bare aiohttp handler returning a static page over the
same loopback client, and a bare aiohttp Server-Sent Events handler writing an event when
told, received by the same browser.

    python bench/web.py [--incidents 100000] [--entries 10000] [--requests 200] [--events 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from report import _entry as report_entry  # bench/report.py, beside this script
from sqlalchemy import insert, text

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import build_app
from warroom.bot.config import parse_config
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.web_login import issue_link, redeem
from warroom.bot.runtime.heap import freeze_start_up
from warroom.storage.engine import make_engine
from warroom.storage.migrate import upgrade
from warroom.storage.models import Incident, IncidentOrg, TimelineEntry
from warroom.storage.store import Store

CHROMIUM = "/usr/bin/chromium"
HASH = "0" * 64
NOW = datetime.now(UTC)
ORGS = ("acme", "cert")


def config_toml(url: str) -> str:
    orgs = "\n".join(f'[[orgs]]\nid = "{o}"\nplatform = "console"\n' for o in ORGS)
    sharing = '[[sharing]]\norgs = ["acme", "cert"]\nmax_tlp = "AMBER"\n'
    return f'[storage]\nurl = "{url}"\n\n[http]\nlisten = "127.0.0.1:0"\n\n{orgs}\n{sharing}'


def build(url: str, count: int, entries: int) -> str:
    """`count` incidents acme takes part in (cert in every third), the last one with
    `entries` timeline entries, one in ten of them cert's at RED. Its key."""
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(7)
    incidents, joined, rows = [], [], []
    for n in range(1, count + 1):
        opened = NOW - timedelta(seconds=rng.uniform(0, 364 * 86400))
        done = rng.random() < 0.9
        incidents.append(
            {
                "id": n,
                "number": n,
                "key": f"INC-{n}",
                "title": f"incident {n}",
                "severity": rng.choice((1, 2, 3, 4)),
                "state": "closed" if done else "investigating",
                "tlp": Tlp.AMBER.label,
                "exercise": n % 20 == 0,
                "opened_at": opened,
                "timeline_seq": 1,
            }
        )
        joined.append({"incident_id": n, "org": "acme", "joined_at": opened})
        if n % 3 == 0 or n == count:
            joined.append({"incident_id": n, "org": "cert", "joined_at": opened})
        rows.append(_entry(n, 1, opened, "acme", "opened", f"Opened: incident {n}"))
    long = count
    incidents[-1]["timeline_seq"] = entries
    incidents[-1]["state"] = "investigating"
    for seq in range(2, entries + 1):
        org = "cert" if seq % 2 else "acme"
        tlp = Tlp.RED if seq % 10 == 0 else Tlp.AMBER
        said = f"message {seq}: we looked at host-{seq}.example and saw nothing new"
        rows.append(_entry(long, seq, NOW, org, "message", said, tlp))
    with engine.begin() as conn:
        conn.execute(insert(Incident), incidents)
        conn.execute(insert(IncidentOrg), joined)
        conn.execute(insert(TimelineEntry), rows)
        # incident numbers come from the counter, which a bulk insert does not move
        conn.execute(text("UPDATE counter SET value = :n WHERE name = 'incident'"), {"n": count})
    engine.dispose()
    return f"INC-{long}"


def _entry(
    incident: int, seq: int, at: datetime, org: str, kind: str, text: str, tlp: Tlp = Tlp.AMBER
) -> dict[str, Any]:
    """bench/report.py's entry, with the display name the pages show."""
    return {**report_entry(incident, seq, at, org, kind, text, tlp), "actor_display": org}


def session_cookie(store: Store, org: str) -> str:
    user = UserRef("console", org, f"reader-{org}", f"reader-{org}")
    now = datetime.now(UTC)

    def work(uow: Any) -> str:
        link = issue_link(uow, user, org, now=now, base_url="http://bench")
        signed = redeem(uow, link.url.rsplit("/", 1)[1], now=now, lifetime=timedelta(hours=1))
        assert signed is not None
        return signed.cookie

    return store.transaction_sync(work)


async def timed_gets(
    client: aiohttp.ClientSession, path: str, n: int, cookie: str = ""
) -> list[float]:
    headers = {"Cookie": f"warroom_session={cookie}"} if cookie else {}
    for _ in range(3):  # warm
        async with client.get(path, headers=headers) as r:
            await r.read()
    found = []
    for _ in range(n):
        start = time.perf_counter()
        async with client.get(path, headers=headers) as r:
            await r.read()
            assert r.status == 200, (path, r.status)
        found.append((time.perf_counter() - start) * 1000)
    return found


async def floor_server() -> tuple[web.AppRunner, int, asyncio.Event]:
    page = "<!doctype html><title>floor</title><p>" + "x" * 20_000
    told = asyncio.Event()

    async def static(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        n = 0
        while True:
            await told.wait()
            told.clear()
            n += 1
            data = json.dumps({"text": str(n)})
            await response.write(f"id: {n}\nevent: entry\ndata: {data}\n\n".encode())

    app = web.Application()
    app.router.add_get("/", static)
    app.router.add_get("/events", events)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, int(runner.addresses[0][1]), told


LISTEN = """
window.arrivals = {};
const source = new EventSource(URL);
source.addEventListener("entry", (m) => {
  window.arrivals[JSON.parse(m.data).text] = performance.timeOrigin + performance.now();
});
"""


async def event_latencies(
    page: Any, url: str, n: int, add: Callable[[int], Awaitable[str]]
) -> list[float]:
    """ms from before `add(i)` (which returns the text it adds) to the browser's event."""
    await page.evaluate(LISTEN.replace("URL", repr(url)))
    await page.wait_for_function("window.arrivals !== undefined")
    await asyncio.sleep(0.5)  # connected
    found = []
    for i in range(n):
        start = time.time() * 1000
        text = await add(i)
        await page.wait_for_function(f"window.arrivals[{text!r}] !== undefined", timeout=10_000)
        arrived = await page.evaluate(f"window.arrivals[{text!r}]")
        found.append(arrived - start)
    return found


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def row(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"| {name} | {len(ms)} | {statistics.median(ordered):.1f} | {p99:.1f} |"


async def main(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    load_before = _load()
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'warroom.db'}"
    began = time.perf_counter()
    key = build(url, args.incidents, args.entries)
    print(
        f"built {args.incidents:,} incidents, {key} with {args.entries:,} entries "
        f"in {time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )
    config = parse_config(__import__("tomllib").loads(config_toml(url)))
    out = StringIO()
    adapter = ConsoleAdapter(user="alice", org="acme", stdin=StringIO(), stdout=out)
    app = build_app(config, adapters={"console": adapter}, serve_http=True)
    await adapter.start(app.core.handle)
    assert app.http is not None
    await app.http.start()
    freeze_start_up()  # as `warroom run` does once started
    runner, floor_port, told = await floor_server()
    acme, cert = session_cookie(app.store, "acme"), session_cookie(app.store, "cert")
    origin = f"http://127.0.0.1:{app.http.port}"
    rows = []
    try:
        async with aiohttp.ClientSession() as client:
            n = args.requests
            floor = f"http://127.0.0.1:{floor_port}/"
            rows.append(row("floor: bare aiohttp static page", await timed_gets(client, floor, n)))
            for name, path, cookie in (
                ("incident list, page 1 (acme: 100,000)", "/", acme),
                ("incident list, page 1 (cert: a third)", "/", cert),
                ("incident list, sev 2, closed", "/?sev=2&state=closed", acme),
                ("incident list, 20 pages on", "/?after=d" + str(args.incidents - 1000), acme),
                (f"incident page, {args.entries:,} entries (acme)", f"/incidents/{key}", acme),
                (f"incident page, {args.entries:,} entries (cert)", f"/incidents/{key}", cert),
            ):
                rows.append(row(name, await timed_gets(client, origin + path, n, cookie)))
        async with async_playwright() as driver:
            browser = await driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            # the bench's own probe script runs in the page: not the dashboard's CSP's business
            context = await browser.new_context(bypass_csp=True)
            page = await context.new_page()
            await page.goto(f"http://127.0.0.1:{floor_port}/")

            async def tell(i: int) -> str:
                told.set()
                return str(i + 1)

            floor_events = await event_latencies(page, "/events", args.events, tell)
            rows.append(row("floor: bare aiohttp SSE -> EventSource", floor_events))
            await page.context.add_cookies(
                [{"name": "warroom_session", "value": cert, "url": origin}]
            )
            await adapter.feed('/incident open "live" --sev 2 --org cert')
            await app.services.outbox.drain()
            live_key = f"INC-{args.incidents + 1}"
            await page.goto(f"{origin}/incidents/{live_key}")

            async def note(i: int) -> str:
                await adapter.feed(f"/incident note TLP:AMBER note {i}")
                return f"TLP:AMBER note {i}"

            stream = f"/incidents/{live_key}/events?after=0"
            live = await event_latencies(page, stream, args.events, note)
            rows.append(row("`note` typed -> event at the browser (cert)", live))
            await browser.close()
    finally:
        await runner.cleanup()
        await app.stop()
    # figures on a shared machine mean little without how busy it was
    print(f"load average (1, 5, 15 min): {load_before} at the start, {_load()} at the end\n")
    print("| what | n | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--events", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
