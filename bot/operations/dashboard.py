"""The dashboard's port answered: sign-in and the read models, each in one transaction, each
as the viewer's organisation may see it (bot/domain/dashboard.py says what it offers)."""

from __future__ import annotations

import json
from datetime import timedelta

from warroom.bot.config import Config
from warroom.bot.domain.clock import Clock
from warroom.bot.domain.dashboard import EntriesAfter, ListFilter, SignedIn, View, Viewer
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.operations import web_login
from warroom.bot.operations.dashboard_indicators import indicator_view
from warroom.bot.operations.dashboard_list import incident_list
from warroom.bot.operations.dashboard_page import entries_after, incident_page
from warroom.bot.operations.export import ExportError, incident_export, markdown_report
from warroom.storage.store import Store, UnitOfWork

EXPORT_FORMS = ("json", "md")


class DashboardReads:
    def __init__(self, store: Store, config: Config, clock: Clock) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.session_lifetime: timedelta = config.web.session
        self.secure_cookies = config.web.link_base(config.http.listen).startswith("https://")

    def language(self, org: str) -> Language:
        return self.config.language(org)

    async def sign_in(self, token: str) -> SignedIn | None:
        now, lifetime = self.clock.now(), self.session_lifetime
        return await self.store.transaction(
            lambda uow: web_login.redeem(uow, token, now=now, lifetime=lifetime)
        )

    async def viewer(self, cookie: str) -> Viewer | None:
        now = self.clock.now()
        # one row by its key, asked by every request: light, so no hop to the store's thread
        return await self.store.transaction(
            lambda uow: web_login.viewer(uow, cookie, now=now), light=True
        )

    async def sign_out(self, cookie: str) -> None:
        now = self.clock.now()
        await self.store.transaction(lambda uow: web_login.sign_out(uow, cookie, now=now))

    async def incidents(self, viewer: Viewer, wanted: ListFilter) -> View:
        lang = self.language(viewer.org)
        return await self.store.transaction(
            lambda uow: incident_list(uow, self.config, viewer.org, wanted, lang)
        )

    async def incident(self, viewer: Viewer, key: str, *, before: int | None) -> View | None:
        now = self.clock.now()
        return await self.store.transaction(
            lambda uow: incident_page(uow, self.config, key, viewer.org, now=now, before=before)
        )

    async def entries_after(self, viewer: Viewer, key: str, seq: int) -> EntriesAfter | None:
        return await self.store.transaction(
            lambda uow: entries_after(uow, self.config, key, viewer.org, seq)
        )

    async def head(self, key: str) -> int | None:
        """The incident's newest seq: a cheap look for the stream's polling fallback."""

        def work(uow: UnitOfWork) -> int | None:
            incident = uow.incidents.by_key(key)
            return None if incident is None else incident.timeline_seq

        return await self.store.transaction(work, light=True)

    async def indicators(self, viewer: Viewer) -> View:
        now, lang = self.clock.now(), self.language(viewer.org)
        return await self.store.transaction(
            lambda uow: indicator_view(uow, self.config, viewer.org, now=now, lang=lang)
        )

    async def export(self, viewer: Viewer, key: str, form: str) -> str | None:
        """The viewer's `export --as-org` in `json` or `md`; None where it may see none."""
        if form not in EXPORT_FORMS:
            return None
        lang = ENGLISH if form == "json" else self.language(viewer.org)
        now = self.clock.now()

        def work(uow: UnitOfWork) -> str | None:
            try:
                data = incident_export(
                    uow, key, config=self.config, as_org=viewer.org, now=now, lang=lang
                )
            except ExportError:
                return None
            if form == "json":
                return json.dumps(data, indent=2, ensure_ascii=False)
            return markdown_report(data, lang)

        return await self.store.transaction(work)
