"""Dashboard sign-in: one-time links and sessions, found by the SHA-256 of their token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from warroom.storage.models import WebLogin, WebSession


class WebSessionRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_login(self, login: WebLogin) -> None:
        self.session.add(login)
        self.session.flush()

    def redeem(self, token_hash: str, now: datetime) -> WebLogin | None:
        """The link, marked used, if it is unused and not expired; else None. One statement
        decides, so two browsers racing for one link cannot both win."""
        claim = (
            update(WebLogin)
            .where(
                col(WebLogin.token_hash) == token_hash,
                col(WebLogin.used_at).is_(None),
                col(WebLogin.expires_at) > now,
            )
            .values(used_at=now)
        )
        if self.session.connection().execute(claim).rowcount != 1:
            return None
        return self.session.get(WebLogin, token_hash)

    def add_session(self, row: WebSession) -> None:
        self.session.add(row)
        self.session.flush()

    def live(self, token_hash: str, now: datetime) -> WebSession | None:
        """The session, if it was not ended and has not expired."""
        query = select(WebSession).where(
            col(WebSession.token_hash) == token_hash,
            col(WebSession.ended_at).is_(None),
            col(WebSession.expires_at) > now,
        )
        return self.session.exec(query).first()

    def end(self, now: datetime, *, token_hash: str | None = None, org: str | None = None) -> int:
        """End one session (its hash), an org's, or every one; how many were live."""
        query = update(WebSession).where(
            col(WebSession.ended_at).is_(None), col(WebSession.expires_at) > now
        )
        if token_hash is not None:
            query = query.where(col(WebSession.token_hash) == token_hash)
        if org is not None:
            query = query.where(col(WebSession.org) == org)
        return int(self.session.connection().execute(query.values(ended_at=now)).rowcount)
