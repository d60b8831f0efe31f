"""A warroom serving its dashboard on a real port, driven by commands, read over HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import aiohttp

from tests.fakes.bot import TestBot
from warroom.bot.config import Config, HttpConfig, OrgConfig, SharingConfig, WebConfig
from warroom.bot.domain.tlp import Tlp

LINK = re.compile(r"https?://\S+/login/[A-Za-z0-9_-]+")


def two_orgs(*, base_url: str = "") -> Config:
    return Config(
        orgs=(
            OrgConfig(id="acme", platform="fake", workspace="acme"),
            OrgConfig(id="cert", platform="fake", workspace="cert", locale="de"),
        ),
        sharing=(SharingConfig(("acme", "cert"), Tlp.AMBER),),
        http=HttpConfig(listen="127.0.0.1:0"),
        web=WebConfig(base_url=base_url),
    )


@asynccontextmanager
async def serving(url: str, config: Config | None = None) -> AsyncIterator[TestBot]:
    bot = TestBot(url, config=config or two_orgs(), serve_http=True)
    assert bot.app.http is not None
    await bot.app.http.start()
    try:
        yield bot
    finally:
        await bot.close()


def origin(bot: TestBot) -> str:
    assert bot.app.http is not None
    return f"http://127.0.0.1:{bot.app.http.port}"


async def login_path(bot: TestBot, *, user: str, org: str) -> str:
    """`dashboard` typed by `user` of `org`: the path of the link it was told privately."""
    told = await bot.send("dashboard", user=user, org=org)
    links = [m.group(0) for s in told if s.kind == "notify" for m in [LINK.search(s.text)] if m]
    assert len(links) == 1, told
    return urlsplit(links[0]).path


@asynccontextmanager
async def browser_session(
    bot: TestBot, *, user: str, org: str
) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client signed in as `user` of `org` through a `dashboard` link."""
    path = await login_path(bot, user=user, org=org)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(base_url=origin(bot), cookie_jar=jar) as client:
        async with client.get(path, allow_redirects=False) as signed:
            assert signed.status == 303, await signed.text()
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)
