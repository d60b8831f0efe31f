"""Installing warroom into a Slack workspace through Slack's OAuth flow, so no workspace's
token ever passes through a config file: `/slack/install` sends the admin to Slack, Slack
sends them back to `/slack/oauth_redirect` with a code, bolt's `AsyncOAuthFlow` trades the
code for the bot token (`oauth.v2.access`) and the installation is stored sealed.

Only workspaces the config names (`[[orgs]] workspace`) may install: the operator decides
which organisations warroom serves. A refused install has its new token revoked at once.
"""

from __future__ import annotations

import html
import logging
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping

from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from warroom.adapters.slack.installations import SlackInstallations, SlackInstallStates
from warroom.adapters.slack.settings import InstallSettings
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.port import HttpRequest, HttpResponse, HttpRoute

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of manifest.yml (a test keeps the two the same).
SCOPES = (
    "commands",
    "chat:write",
    "groups:write",
    "groups:read",
    "groups:history",
    "channels:read",
    "channels:history",
    "channels:join",
    "pins:write",
    "reactions:read",
    "users:read",
)
Installed = Callable[[str, str], None]  # (team id, bot token)
# A refused callback: its status and what the page says.
REFUSALS = {
    "access_denied": (403, "The install was cancelled in Slack: warroom was not installed."),
    "invalid_browser": (
        400,
        "This install was not started in this browser, or its link was changed. "
        "Start again from the install link.",
    ),
    "invalid_state": (
        400,
        "This install link has expired or was already used. Start again from the install link.",
    ),
    "missing_code": (400, "Slack sent no authorisation code. Start again from the install link."),
    "invalid_code": (
        400,
        "Slack did not accept the authorisation code (expired or already used). "
        "Start again from the install link.",
    ),
}


class NotServed(BoltError):
    """An install from a workspace warroom does not serve (none of the config's orgs)."""


def authorization_url(api_url: str) -> str:
    """Slack's authorise page on the host that serves the Web API (slack.com, GovSlack, a
    test server)."""
    return urllib.parse.urljoin(api_url, "/oauth/v2/authorize")


class InstallFlow(AsyncOAuthFlow):
    """Bolt's flow, storing only installs from the workspaces the config names."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        settings: AsyncOAuthSettings,
        teams: frozenset[str],
        installed: Installed,
    ) -> None:
        super().__init__(client=client, logger=log, settings=settings)
        self.teams = teams
        self.installed = installed

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        team = installation.team_id or ""
        if installation.is_enterprise_install or team not in self.teams:
            await self._revoke(installation.bot_token)
            where = "an organisation-wide install" if not team else f"workspace {team}"
            raise NotServed(f"{where} is not one of the organisations warroom serves")
        await super().store_installation(request, installation)
        if installation.bot_token:
            self.installed(team, installation.bot_token)

    async def _revoke(self, token: str | None) -> None:
        if not token:
            return
        client = AsyncWebClient(token=token, base_url=self.client.base_url, timeout=10)
        try:
            await client.auth_revoke()
        except SlackApiError as exc:
            log.warning(
                "could not revoke a refused install's token: %s", exc.response.get("error")
            )


def install_flow(
    settings: InstallSettings,
    *,
    api_url: str,
    installations: SlackInstallations,
    states: SlackInstallStates,
    installed: Installed,
) -> InstallFlow:
    oauth = AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(SCOPES),
        user_scopes=[],
        redirect_uri=settings.redirect_url or None,
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,  # straight on to Slack
        redirect_uri_path=REDIRECT_PATH,
        callback_options=AsyncCallbackOptions(
            success=_success_page(settings.languages), failure=_failed
        ),
        authorization_url=authorization_url(api_url),
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=settings.state_ttl_s,
        logger=log,
    )
    client = AsyncWebClient(base_url=api_url, timeout=10)
    return InstallFlow(client=client, settings=oauth, teams=settings.teams, installed=installed)


def oauth_routes(flow: InstallFlow) -> tuple[HttpRoute, HttpRoute]:
    async def install(request: HttpRequest) -> HttpResponse:
        return _to_response(await flow.handle_installation(_to_bolt(request)))

    async def redirect(request: HttpRequest) -> HttpResponse:
        return _to_response(await flow.handle_callback(_to_bolt(request)))

    return HttpRoute("GET", INSTALL_PATH, install), HttpRoute("GET", REDIRECT_PATH, redirect)


def _success_page(
    languages: Mapping[str, Language],
) -> Callable[[AsyncSuccessArgs], Awaitable[BoltResponse]]:
    """The page an install ends on, in the language of the org whose workspace it is."""

    async def succeeded(args: AsyncSuccessArgs) -> BoltResponse:
        team = args.installation.team_id or ""
        lang = languages.get(team, ENGLISH)
        name = args.installation.team_name or team or lang.gettext("your workspace")
        return _page(
            200,
            lang.gettext("warroom is installed"),
            lang.format(
                "warroom is installed in {name}. In Slack, type /incident help to start.",
                name=name,
            ),
            args.settings.state_utils.build_set_cookie_for_deletion(),
        )

    return succeeded


# A refused install's page is English: until Slack has traded the code no team is known, and
# a team refused is none of the orgs' (only a store failure of a served team is left out).
async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    status, text = REFUSALS.get(args.reason, (400, ""))
    if isinstance(args.error, NotServed):
        status, text = 403, f"warroom was not installed: {args.error}. Ask whoever runs warroom."
    elif args.reason == "storage_error":
        status, text = 500, "warroom could not store the install. Try again in a moment."
    elif not text:
        text = f"Slack refused the install ({args.reason}): warroom was not installed."
    log.warning("Slack install refused (%s): %s", args.reason, args.error or "")
    cookie = args.settings.state_utils.build_set_cookie_for_deletion()
    return _page(status, "warroom was not installed", text, cookie)


def _page(status: int, title: str, text: str, cookie: str) -> BoltResponse:
    body = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    )
    headers = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": [cookie]}
    return BoltResponse(status=status, body=body, headers=headers)


def _to_bolt(request: HttpRequest) -> AsyncBoltRequest:
    return AsyncBoltRequest(body="", query=request.query, headers=dict(request.headers))


def _to_response(response: BoltResponse) -> HttpResponse:
    """Its first header values: the page's type, the state cookie, Slack's address."""
    return HttpResponse(response.status, response.body.encode("utf-8"), response.first_headers())
