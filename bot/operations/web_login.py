"""Dashboard sign-in without passwords: a one-time link asked for in chat (or printed by
`warroom web link`), redeemed once within ten minutes for a session. Only SHA-256 hashes of
links and cookies are stored, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.bot.domain.dashboard import SignedIn, Viewer
from warroom.bot.domain.events import UserRef
from warroom.storage.models import WebLogin, WebSession
from warroom.storage.store import UnitOfWork

LINK_LIFETIME = timedelta(minutes=10)
LOGIN_PATH = "/login/"


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime


def issue_link(uow: UnitOfWork, user: UserRef, org: str, *, now: datetime, base_url: str) -> Link:
    """A new one-time link for `user` of `org`: BASE_URL/login/TOKEN."""
    token = secrets.token_urlsafe(32)
    expires = now + LINK_LIFETIME
    uow.web.add_login(
        WebLogin(
            token_hash=hashed(token),
            platform=user.platform,
            workspace=user.workspace,
            user_id=user.user_id,
            display=user.display,
            org=org,
            created_at=now,
            expires_at=expires,
        )
    )
    return Link(f"{base_url.rstrip('/')}{LOGIN_PATH}{token}", expires)


def redeem(uow: UnitOfWork, token: str, *, now: datetime, lifetime: timedelta) -> SignedIn | None:
    """The session a link starts, the one time it is used in time; else None."""
    login = uow.web.redeem(hashed(token), now)
    if login is None:
        return None
    cookie = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=hashed(cookie),
        csrf=secrets.token_urlsafe(24),
        platform=login.platform,
        workspace=login.workspace,
        user_id=login.user_id,
        display=login.display,
        org=login.org,
        created_at=now,
        expires_at=now + lifetime,
    )
    uow.web.add_session(row)
    return SignedIn(cookie=cookie, viewer=_viewer(row), expires_at=row.expires_at)


def viewer(uow: UnitOfWork, cookie: str, *, now: datetime) -> Viewer | None:
    row = uow.web.live(hashed(cookie), now)
    return _viewer(row) if row is not None else None


def sign_out(uow: UnitOfWork, cookie: str, *, now: datetime) -> None:
    uow.web.end(now, token_hash=hashed(cookie))


def end_sessions(uow: UnitOfWork, *, now: datetime, org: str | None = None) -> int:
    """`warroom web logout-all [--org ORG]`: how many sessions were ended."""
    return uow.web.end(now, org=org)


def _viewer(row: WebSession) -> Viewer:
    return Viewer(
        platform=row.platform,
        workspace=row.workspace,
        user_id=row.user_id,
        display=row.display,
        org=row.org,
        csrf=row.csrf,
    )
