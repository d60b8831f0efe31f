"""Pages from templates: Jinja2 with autoescape on, every label in the viewer's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

from warroom.bot.domain.language import ENGLISH, Language

_templates = Environment(
    loader=PackageLoader("warroom.adapters.web", "templates"),
    autoescape=True,  # every text a person typed is escaped
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # shipped files: compiled once, not checked on disk per request
)


def page(
    template: str, *, lang: Language = ENGLISH, status: int = 200, **values: Any
) -> web.Response:
    moments = lang.moments()
    html = _templates.get_template(template).render(
        _=lang.gettext,
        format=lang.format,
        moment=lambda at: moments(datetime.fromisoformat(at)) if at else "-",
        lang=lang.locale,
        **values,
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def not_found(lang: Language = ENGLISH) -> web.Response:
    return page("not_found.html.j2", lang=lang, status=404, viewer=None)


def sign_in_first() -> web.Response:
    return page("sign_in.html.j2", status=401, viewer=None)


def refused(text: str, *, status: int = 400) -> web.Response:
    """A one-line 4xx: a bad filter, a form without its token."""
    return web.Response(text=text + "\n", status=status)
