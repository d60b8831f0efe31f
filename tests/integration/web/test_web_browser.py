"""The dashboard in a real browser: Playwright driving Debian's chromium, signed in from
links the console's `dashboard` answered, two organisations of one incident side by side."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright import async_api as playwright_api

from warroom.adapters.console import ConsoleAdapter
from warroom.bot.app import App, build_app
from warroom.bot.config import (
    Config,
    HttpConfig,
    OrgConfig,
    SharingConfig,
    StorageConfig,
)
from warroom.bot.domain.clock import FakeClock
from warroom.bot.domain.tlp import Tlp

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "artifacts"
LINK = re.compile(r"https?://\S+/login/[A-Za-z0-9_-]+")
LIVE_MS = 2_000  # a new entry is on the open page this soon, without reload
TITLE = "<script>alert(1)</script> leaked keys"

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium"
    ),
    pytest.mark.asyncio(loop_scope="module"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        await launched.close()


@dataclass
class Console:
    """`warroom console` in this process, with the dashboard served beside it."""

    adapter: ConsoleAdapter
    app: App
    clock: FakeClock
    out: StringIO

    async def type(self, *lines: str) -> str:
        before = len(self.out.getvalue())
        for line in lines:
            assert await self.adapter.feed(line)
            await self.app.services.outbox.drain()
        return self.out.getvalue()[before:]

    async def link(self, who: str) -> str:
        """The path of the `dashboard` link `who` (USER@ORG) was told; then alice of acme
        types again, in the room she was in."""
        room = self.adapter.room
        printed = await self.type(f":as {who}", "/incident dashboard")
        await self.type(":as alice@acme", f":room {room}")
        found = LINK.search(printed)
        assert found, printed
        return urlsplit(found.group(0)).path

    def url(self, path: str) -> str:
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.port}{path}"


@pytest_asyncio.fixture(loop_scope="module")
async def console(store_url: str) -> AsyncIterator[Console]:
    config = Config(
        storage=StorageConfig(url=store_url, auto_upgrade=False),
        orgs=(
            OrgConfig(id="acme", name="ACME Corp", platform="console", liaison="alice"),
            OrgConfig(id="cert", name="CERT", platform="console", liaison="bob", locale="de"),
        ),
        sharing=(SharingConfig(orgs=("acme", "cert"), max_tlp=Tlp.AMBER),),
        http=HttpConfig(listen="127.0.0.1:0"),
    )
    out, clock = StringIO(), FakeClock()
    adapter = ConsoleAdapter(user="alice", org="acme", stdin=StringIO(), stdout=out)
    app = build_app(config, adapters={"console": adapter}, clock=clock, serve_http=True)
    await adapter.start(app.core.handle)
    assert app.http is not None
    await app.http.start()
    session = Console(adapter, app, clock, out)
    await session.type(f'/incident open "{TITLE}" --sev 2 --tlp amber --org cert')
    yield session
    await app.stop()


def shot(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


async def test_two_orgs_see_their_own_timelines_live(console: Console, browser: object) -> None:
    await console.type("TLP:RED acme only: the supplier is Initech")
    await console.type("/incident note TLP:GREEN keys rotated")
    acme_link, cert_link = await console.link("alice@acme"), await console.link("bob@cert")
    acme_context, cert_context = await browser.new_context(), await browser.new_context()  # type: ignore[attr-defined]
    acme, cert = await acme_context.new_page(), await cert_context.new_page()
    dialogs: list[str] = []
    for page in (acme, cert):
        page.on("dialog", lambda d: dialogs.append(d.message))
    await acme.goto(console.url(acme_link))
    await cert.goto(console.url(cert_link))
    expect = playwright_api.expect
    await expect(acme.locator("table.incidents")).to_contain_text(TITLE)  # as text
    await expect(cert.locator("h1")).to_contain_text("Vorfälle von cert")  # in German
    await acme.screenshot(path=shot("list-acme"), full_page=True)
    await cert.screenshot(path=shot("list-cert"), full_page=True)

    await acme.click("text=INC-1")
    await cert.click("text=INC-1")
    await expect(acme.locator("h1 .title")).to_have_text(TITLE)
    await expect(acme.locator("#timeline")).to_contain_text("the supplier is Initech")
    await expect(cert.locator("#timeline")).to_contain_text("keys rotated")
    assert "Initech" not in await cert.content()
    await expect(acme.locator("#live")).to_be_visible()
    await expect(cert.locator("#live")).to_be_visible()

    await console.type("TLP:RED acme only: second supplier is Umbrella")
    await console.type("/incident note TLP:GREEN edge blocked")
    await expect(acme.locator("#timeline")).to_contain_text("edge blocked", timeout=LIVE_MS)
    await expect(cert.locator("#timeline")).to_contain_text("edge blocked", timeout=LIVE_MS)
    await expect(acme.locator("#timeline")).to_contain_text("Umbrella", timeout=LIVE_MS)
    assert "Umbrella" not in await cert.content()  # the stream sent what came after it
    assert "Initech" not in await cert.content()
    await acme.screenshot(path=shot("incident-acme"), full_page=True)
    await cert.screenshot(path=shot("incident-cert"), full_page=True)

    for page, name in ((acme, "acme"), (cert, "cert")):
        await page.goto(console.url("/indicators"))
        await expect(page.locator("canvas").first).to_be_visible()
        await page.screenshot(path=shot(f"indicators-{name}"), full_page=True)
    assert dialogs == [], "a title with <script> ran as a script"
    await acme_context.close()
    await cert_context.close()


async def test_other_incidents_and_used_or_expired_links_are_not_found(
    console: Console, browser: object
) -> None:
    await console.type('/incident open "acme alone" --sev 3')
    cert_link = await console.link("bob@cert")
    context = await browser.new_context()  # type: ignore[attr-defined]
    page = await context.new_page()
    await page.goto(console.url(cert_link))
    other = await page.goto(console.url("/incidents/INC-2"))
    assert other is not None and other.status == 404
    assert "acme alone" not in await page.content()
    again = await page.goto(console.url(cert_link))
    assert again is not None and again.status == 404
    late_link = await console.link("bob@cert")
    console.clock.advance(timedelta(minutes=11))
    fresh = await context.new_page()
    late = await fresh.goto(console.url(late_link))
    assert late is not None and late.status == 404
    await fresh.screenshot(path=shot("not-found"), full_page=True)
    await context.close()
