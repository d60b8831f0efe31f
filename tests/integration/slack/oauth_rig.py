"""warroom serving OAuth installs against the fake Slack, and a browser that follows the
install's redirects and keeps warroom's state cookie as a browser would."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field, replace

import aiohttp
import pytest
from cryptography.fernet import Fernet

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack.rig import SlackRig, rig_config, rig_env
from warroom.bot.config import Config

KEY = Fernet.generate_key().decode()
ENV = {
    "WR_TEST_SLACK_CLIENT_ID": "",
    "WR_TEST_SLACK_CLIENT_SECRET": "",
    "WR_TEST_SLACK_TOKEN_KEY": KEY,
}


def oauth_config(store_url: str, fake: FakeSlack, mode: str = "http") -> Config:
    """acme keeps its token in config (`bot_token_env`); cert is named by its team id only,
    so its token comes from installing warroom."""
    base = rig_config(store_url, fake, mode)
    assert base.slack is not None
    slack = replace(
        base.slack,
        client_id_env="WR_TEST_SLACK_CLIENT_ID",
        client_secret_env="WR_TEST_SLACK_CLIENT_SECRET",
        token_key_env="WR_TEST_SLACK_TOKEN_KEY",
    )
    acme, cert = base.orgs
    return replace(base, slack=slack, orgs=(acme, replace(cert, bot_token_env="")))


def oauth_env(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, *, key: str = KEY) -> None:
    env = {
        **rig_env(fake),
        **ENV,
        "WR_TEST_SLACK_CLIENT_ID": fake.oauth.client_id,
        "WR_TEST_SLACK_CLIENT_SECRET": fake.oauth.client_secret,
        "WR_TEST_SLACK_TOKEN_KEY": key,
    }
    env.pop("WR_TEST_SLACK_TOKEN_CERT")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


async def started(fake: FakeSlack, config: Config, mode: str = "http") -> SlackRig:
    rig = SlackRig(fake, config, mode)
    await rig.start()
    fake.oauth.redirect_url = f"{rig.base_url}/slack/oauth_redirect"
    return rig


@dataclass
class Page:
    status: int
    text: str
    url: str


@dataclass
class Browser:
    """Follows redirects by hand and keeps the cookies warroom sets (by name, for warroom's
    host:port only), so a test can see and tamper with what a browser would send."""

    warroom: str  # http://127.0.0.1:PORT
    cookies: dict[str, str] = field(default_factory=dict)

    async def install(self) -> Page:
        """An admin opens the install link and approves (or cancels) on Slack's page."""
        return await self.open(f"{self.warroom}/slack/install")

    async def begin(self) -> str:
        """Open the install link, stopping where it sends the browser: Slack's page."""
        page = await self.open(f"{self.warroom}/slack/install", hops=1)
        assert page.status == 302, page
        return page.url

    async def at_slack(self, url: str) -> str:
        """Approve on Slack's page, stopping where Slack sends the browser back."""
        page = await self.open(url, hops=1)
        assert page.status == 302, page
        return page.url

    async def open(self, url: str, *, hops: int = 5) -> Page:
        async with aiohttp.ClientSession() as http:
            while hops:
                headers = {}
                if url.startswith(self.warroom) and self.cookies:
                    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                async with http.get(url, headers=headers, allow_redirects=False) as response:
                    if url.startswith(self.warroom):
                        self._keep(response.headers.getall("Set-Cookie", []))
                    location = response.headers.get("Location")
                    if response.status in (301, 302, 303) and location:
                        url = urllib.parse.urljoin(url, location)
                        if hops == 1:
                            return Page(response.status, "", url)
                        hops -= 1
                        continue
                    return Page(response.status, await response.text(), url)
        raise AssertionError("too many redirects")

    def _keep(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _, rest = line.partition("=")
            value, _, attributes = rest.partition(";")
            if "expires=thu, 01 jan 1970" in attributes.lower():  # deleted
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
