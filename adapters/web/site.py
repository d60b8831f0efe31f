"""The dashboard's routes on an aiohttp application: sign-in, the pages, the downloads and
the live stream. It translates requests to the `Dashboard` port and read models to pages."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from warroom.adapters.web import views
from warroom.adapters.web.filters import BadFilter, list_filter
from warroom.adapters.web.safety import (
    CSRF_FIELD,
    SESSION_COOKIE,
    form_is_ours,
    safety_headers,
)
from warroom.adapters.web.stream import Streams
from warroom.bot.domain.dashboard import Dashboard, TimelineNews, Viewer

STATIC = Path(__file__).parent / "static"
DOWNLOADS = {"json": "application/json", "md": "text/markdown"}


class Site:
    def __init__(
        self, dashboard: Dashboard, *, news: TimelineNews | None = None, poll_s: float = 1.0
    ) -> None:
        self.dashboard = dashboard
        self.streams = Streams(dashboard, self.viewer, news=news, poll_s=poll_s)

    def mount(self, app: web.Application) -> None:
        """Add the dashboard's routes (and its safety headers) to `app`."""
        app.middlewares.append(safety_headers)
        app.on_shutdown.append(self.streams.close)
        routes = app.router
        routes.add_get("/", self.incident_list)
        routes.add_get("/login/{token}", self.login)
        routes.add_post("/logout", self.logout)
        routes.add_get("/signed-out", self.signed_out)
        routes.add_get("/indicators", self.indicators)
        routes.add_get("/incidents/{key}", self.incident)
        routes.add_get("/incidents/{key}/events", self.streams.serve)
        routes.add_get("/incidents/{key}/export.{form}", self.download)
        routes.add_static("/static/", STATIC, append_version=True)

    async def viewer(self, request: web.Request) -> Viewer | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        return await self.dashboard.viewer(cookie) if cookie else None

    async def login(self, request: web.Request) -> web.StreamResponse:
        signed = await self.dashboard.sign_in(request.match_info["token"])
        if signed is None:  # wrong, used or expired: all the same to whoever asks
            return views.not_found()
        response = _see_other("/")
        response.set_cookie(
            SESSION_COOKIE,
            signed.cookie,
            max_age=int(self.dashboard.session_lifetime.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=self.dashboard.secure_cookies,
            path="/",
        )
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        if viewer is None:
            return views.sign_in_first()
        form = await request.post()
        lang = self.dashboard.language(viewer.org)
        if not form_is_ours(viewer, form.get(CSRF_FIELD)):
            return views.refused(lang.gettext("this form is not from your session"), status=403)
        await self.dashboard.sign_out(request.cookies[SESSION_COOKIE])
        response = _see_other("/signed-out")
        response.del_cookie(SESSION_COOKIE, path="/")
        return response

    async def signed_out(self, request: web.Request) -> web.StreamResponse:
        return views.page("sign_in.html.j2", viewer=None)

    async def incident_list(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        if viewer is None:
            return views.sign_in_first()
        lang = self.dashboard.language(viewer.org)
        try:
            wanted = list_filter(request.query, lang)
        except BadFilter as exc:
            return views.refused(str(exc))
        listed = await self.dashboard.incidents(viewer, wanted)
        return views.page(
            "incidents.html.j2", lang=lang, viewer=viewer, listed=listed, wanted=wanted
        )

    async def incident(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        if viewer is None:
            return views.sign_in_first()
        lang = self.dashboard.language(viewer.org)
        before = request.query.get("before")
        if before is not None and not before.isdigit():
            return views.refused(lang.gettext("before: not an entry number"))
        key = request.match_info["key"].upper()
        shown = await self.dashboard.incident(viewer, key, before=int(before) if before else None)
        if shown is None:
            return views.not_found(lang)
        return views.page("incident.html.j2", lang=lang, viewer=viewer, i=shown)

    async def indicators(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        if viewer is None:
            return views.sign_in_first()
        lang = self.dashboard.language(viewer.org)
        figures = await self.dashboard.indicators(viewer)
        return views.page("indicators.html.j2", lang=lang, viewer=viewer, figures=figures)

    async def download(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer(request)
        if viewer is None:
            return views.sign_in_first()
        form, key = request.match_info["form"], request.match_info["key"].upper()
        body = await self.dashboard.export(viewer, key, form) if form in DOWNLOADS else None
        if body is None:
            return views.not_found(self.dashboard.language(viewer.org))
        name = f"{key}-{viewer.org}.{form}"
        return web.Response(
            text=body,
            content_type=DOWNLOADS[form],
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})
