"""Slack's side of the OAuth install flow, for the fake Slack: the authorise page (the admin
approves, or cancels) and `oauth.v2.access` with Slack's response shape and errors, plus
`auth.revoke`. Registered on the fake's server by tests/fakes/slack_api.py."""

from __future__ import annotations

import base64
import itertools
import urllib.parse
import uuid
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.slack_methods import SlackState, Team


@dataclass
class Grant:
    """A code handed out by the authorise page, good once."""

    team: str
    scope: str
    redirect_uri: str


@dataclass
class FakeSlackOAuth:
    """`team` is the workspace the admin picks on Slack's authorise page; `deny` makes them
    press Cancel. `installs` counts the codes exchanged for tokens."""

    slack: SlackState
    client_id: str = "1234567890.0987654321"
    client_secret: str = "fake-client-secret-4f2a"
    app_id: str = "A0WARROOM"
    team: str = ""
    redirect_url: str = ""  # the app's configured redirect URL, used when none is asked for
    installer: str = "U0ADMIN"
    deny: bool = False
    enterprise_install: bool = False
    grants: dict[str, Grant] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    installs: int = 0
    revoked: list[str] = field(default_factory=list)
    _tokens: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Before the fake's catch-all `/api/{method}`, so these take their paths."""
        router.add_get("/oauth/v2/authorize", self._authorize)
        router.add_route("*", "/api/oauth.v2.access", self._access)
        router.add_route("*", "/api/auth.revoke", self._revoke)

    def uninstall(self, team_id: str) -> None:
        """The workspace's admin removes the app: its tokens stop working."""
        for token in [t for t, team in self.slack.teams.items() if team.id == team_id]:
            del self.slack.teams[token]

    # the authorise page

    async def _authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = query.get("redirect_uri") or self.redirect_url
        if not redirect.startswith("http"):
            return web.Response(status=400, text="bad_redirect_uri")
        reply = {"state": query.get("state", "")}
        if self.deny:
            reply["error"] = "access_denied"
        else:
            code = f"{self.team}.{uuid.uuid4().hex}"
            asked = query.get("redirect_uri", "")
            self.grants[code] = Grant(self.team, query.get("scope", ""), asked)
            reply["code"] = code
        raise web.HTTPFound(f"{redirect}?{urllib.parse.urlencode(reply)}")

    # the Web API methods of the flow

    async def _access(self, request: web.Request) -> web.Response:
        args = {**request.query, **dict(await request.post())}
        client_id, client_secret = _basic(request) or (
            str(args.get("client_id", "")),
            str(args.get("client_secret", "")),
        )
        if client_id != self.client_id:
            return _error("invalid_client_id")
        if client_secret != self.client_secret:
            return _error("bad_client_secret")
        grant = self.grants.pop(str(args.get("code", "")), None)
        if grant is None:
            return _error("invalid_code")
        if grant.redirect_uri and args.get("redirect_uri") != grant.redirect_uri:
            return _error("bad_redirect_uri")
        team = self._grant_token(grant.team)
        self.installs += 1
        enterprise = {"id": "E0GRID", "name": "Grid"} if self.enterprise_install else None
        return web.json_response(
            {
                "ok": True,
                "app_id": self.app_id,
                "authed_user": {"id": self.installer},
                "scope": grant.scope,
                "token_type": "bot",
                "access_token": team.token,
                "bot_user_id": team.bot_user,
                "team": None if self.enterprise_install else {"id": team.id, "name": team.name},
                "enterprise": enterprise,
                "is_enterprise_install": self.enterprise_install,
            }
        )

    async def _revoke(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if self.slack.teams.pop(token, None) is None:
            return _error("invalid_auth")
        self.revoked.append(token)
        return web.json_response({"ok": True, "revoked": True})

    def _grant_token(self, team_id: str) -> Team:
        """A fresh bot token for the workspace; the one it had before stops working."""
        old = next((t for t in self.slack.teams.values() if t.id == team_id), None)
        self.uninstall(team_id)
        token = f"xoxb-{team_id}-installed-{next(self._tokens)}"
        team = Team(
            team_id,
            token,
            old.bot_user if old else f"UB{team_id}",
            old.bot_id if old else f"B{team_id}",
            old.name if old else team_id.lower(),
        )
        self.slack.teams[token] = team
        return team


def _basic(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    return user, password


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})
