"""The dashboard over HTTP: sign-in links, sessions and their cookies, the safety headers,
CSRF on the one form, 404 for what a viewer's organisation takes no part in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.integration.web.harness import (
    browser_session,
    csrf_of,
    login_path,
    origin,
    serving,
    two_orgs,
)
from warroom.bot.operations.dashboard_page import incident_page

pytestmark = pytest.mark.pg

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


async def test_a_dashboard_link_signs_in_once_with_a_safe_cookie(store_url: str) -> None:
    async with serving(store_url) as bot:
        path = await login_path(bot, user="alice", org="acme")
        async with aiohttp.ClientSession(base_url=origin(bot)) as client:
            async with client.get(path, allow_redirects=False) as first:
                assert first.status == 303
                assert first.headers["Location"] == "/"
                cookie = first.headers["Set-Cookie"]
            async with client.get(path, allow_redirects=False) as again:
                assert again.status == 404
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Max-Age=43200" in cookie
        assert "Secure" not in cookie


async def test_the_cookie_is_secure_when_the_dashboard_is_under_https(store_url: str) -> None:
    async with serving(store_url, two_orgs(base_url="https://warroom.example")) as bot:
        path = await login_path(bot, user="alice", org="acme")
        async with (
            aiohttp.ClientSession(base_url=origin(bot)) as client,
            client.get(path, allow_redirects=False) as signed,
        ):
            assert "Secure" in signed.headers["Set-Cookie"]


async def test_a_wrong_or_expired_link_is_not_found(store_url: str) -> None:
    async with serving(store_url) as bot:
        path = await login_path(bot, user="alice", org="acme")
        bot.clock.advance(timedelta(minutes=10, seconds=1))
        async with aiohttp.ClientSession(base_url=origin(bot)) as client:
            for tried in (path, path[:-1] + ("A" if path[-1] != "A" else "B"), "/login/x"):
                async with client.get(tried, allow_redirects=False) as answer:
                    assert answer.status == 404
                    assert "Set-Cookie" not in answer.headers


async def test_a_replayed_dashboard_command_makes_no_second_link(store_url: str) -> None:
    async with serving(store_url) as bot:
        helped = await bot.send("help")
        assert "dashboard" in helped[-1].text
        first = await bot.send("dashboard", event_id="same")
        again = await bot.send("dashboard", event_id="same")
        assert [s.kind for s in first] == ["notify"]
        assert again == []


async def test_every_page_carries_the_safety_headers(store_url: str) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Leak" --sev 2')
        async with browser_session(bot, user="alice", org="acme") as client:
            for path in ("/", "/incidents/INC-1", "/indicators", "/incidents/INC-9", "/nope"):
                async with client.get(path) as page:
                    assert page.headers["Content-Security-Policy"] == CSP, path
                    assert page.headers["X-Content-Type-Options"] == "nosniff"
                    assert page.headers["Referrer-Policy"] == "no-referrer"
        async with (
            aiohttp.ClientSession(base_url=origin(bot)) as anonymous,
            anonymous.get("/login/nothing") as page,
        ):
            assert page.headers["Referrer-Policy"] == "no-referrer"


async def test_without_a_session_every_page_asks_to_sign_in_from_chat(store_url: str) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Leak" --sev 2')
        paths = ("/", "/incidents/INC-1", "/indicators", "/incidents/INC-1/export.json")
        async with aiohttp.ClientSession(base_url=origin(bot)) as client:
            for path in (*paths, "/incidents/INC-1/events"):
                async with client.get(path) as page:
                    assert page.status == 401, path
                    assert "Leak" not in await page.text()


async def test_an_incident_the_org_takes_no_part_in_is_not_found(store_url: str) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Acme only" --sev 2')
        async with browser_session(bot, user="carol", org="cert") as client:
            for path in (
                "/incidents/INC-1",
                "/incidents/INC-1/events",
                "/incidents/INC-1/export.json",
                "/incidents/INC-1/export.md",
            ):
                async with client.get(path) as page:
                    assert page.status == 404, path
                    assert "Acme only" not in await page.text()
            async with client.get("/") as listed:
                assert "INC-1" not in await listed.text()


async def test_signing_out_needs_the_sessions_csrf_token(store_url: str) -> None:
    async with (
        serving(store_url) as bot,
        browser_session(bot, user="alice", org="acme") as client,
    ):
        async with client.get("/") as page:
            token = csrf_of(await page.text())
        for sent in ({}, {"csrf": "wrong"}):
            async with client.post("/logout", data=sent, allow_redirects=False) as refused:
                assert refused.status == 403
        async with client.get("/") as still:
            assert still.status == 200  # nothing changed
        async with client.post("/logout", data={"csrf": token}, allow_redirects=False) as out:
            assert out.status == 303
        async with client.get("/") as after:
            assert after.status == 401


async def test_a_session_ends_after_its_lifetime(store_url: str) -> None:
    async with (
        serving(store_url) as bot,
        browser_session(bot, user="alice", org="acme") as client,
    ):
        bot.clock.advance(timedelta(hours=11, minutes=59))
        async with client.get("/") as during:
            assert during.status == 200
        bot.clock.advance(timedelta(minutes=2))
        async with client.get("/") as after:
            assert after.status == 401


async def test_a_bad_filter_is_a_one_line_400(store_url: str) -> None:
    async with (
        serving(store_url) as bot,
        browser_session(bot, user="alice", org="acme") as client,
    ):
        for query in ("?sev=9", "?state=asleep", "?after=x1", "?exercise=maybe"):
            async with client.get("/" + query) as answer:
                assert answer.status == 400, query
                assert (await answer.text()).count("\n") == 1
        async with client.get("/incidents/INC-1?before=x") as answer:
            assert answer.status == 400


async def test_the_list_filters_and_puts_open_incidents_first(store_url: str) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "First" --sev 3')
        await bot.send("resolve done")
        await bot.open('open "Second" --sev 1')
        await bot.open('open "Third" --sev 3 --exercise')
        async with browser_session(bot, user="alice", org="acme") as client:
            async with client.get("/") as page:
                html = await page.text()
            assert html.index("INC-3") < html.index("INC-2") < html.index("INC-1")
            async with client.get("/?sev=3") as page:
                html = await page.text()
            assert "INC-2" not in html and "INC-1" in html and "INC-3" in html
            async with client.get("/?exercise=no&state=resolved") as page:
                html = await page.text()
            assert "INC-1" in html and "INC-3" not in html and "INC-2" not in html


async def test_downloads_are_the_viewers_own_exports(store_url: str) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Shared leak" --sev 2')
        await bot.send("invite cert")
        await bot.send("note TLP:RED acme eyes only")
        await bot.send("note the usual, for everyone")
        async with browser_session(bot, user="carol", org="cert") as client:
            async with client.get("/incidents/INC-1/export.json") as answer:
                assert answer.status == 200
                assert "attachment" in answer.headers["Content-Disposition"]
                data = await answer.json(content_type=None)
            async with client.get("/incidents/INC-1/export.md") as answer:
                report = await answer.text()
            async with client.get("/incidents/INC-1/export.stix") as answer:
                assert answer.status == 404
        assert data["view"] == "cert"
        texts = [e.get("text", "") for e in data["timeline"]]
        assert any("for everyone" in t for t in texts)
        assert not any("eyes only" in t for t in texts)
        assert "for everyone" in report and "eyes only" not in report


async def test_the_list_pages_on_without_repeats_or_gaps(store_url: str) -> None:
    async with serving(store_url) as bot:
        for n in range(1, 56):  # 55 incidents; every fifth resolved
            await bot.send(f'open "number {n}" --sev 3')
            if n % 5 == 0:
                await bot.send("resolve done", room=bot.adapter.of_kind("create_room")[-1].room)
        async with browser_session(bot, user="alice", org="acme") as client:
            seen: list[str] = []
            path = "/"
            while path:
                async with client.get(path) as page:
                    html = await page.text()
                seen += re.findall(r'<a href="/incidents/(INC-\d+)">', html)
                older = re.search(r'rel="next" href="([^"]+)"', html)
                path = older.group(1).replace("&amp;", "&") if older else ""
        opened = [f"INC-{n}" for n in range(55, 0, -1) if n % 5]
        resolved = [f"INC-{n}" for n in range(55, 0, -1) if not n % 5]
        assert seen == opened + resolved


async def test_the_timeline_pages_over_what_the_org_may_see_only(store_url: str) -> None:
    async with serving(store_url) as bot:
        await bot.open('open "Paged" --sev 2')
        await bot.send("invite cert")
        for n in range(1, 8):
            await bot.send(f"note TLP:{'RED' if n % 2 else 'AMBER'} note {n}")
        config, now = bot.app.config, bot.clock.now()

        def page(before: int | None) -> dict[str, Any]:
            found = bot.app.store.transaction_sync(
                lambda uow: incident_page(
                    uow, config, "INC-1", "cert", now=now, before=before, limit=2
                )
            )
            assert found is not None
            return found

        seen: list[str] = []
        before: int | None = None
        while True:
            shown = page(before)
            seen += [e["text"] for e in shown["timeline"]]
            before = shown["older"]
            if before is None:
                break
        notes = [t for t in seen if "note" in t]
        assert notes == ["TLP:AMBER note 6", "TLP:AMBER note 4", "TLP:AMBER note 2"]
        assert len(seen) == len(set(seen))
        assert page(None)["older"] is not None and page(4)["timeline"][0]["seq"] < 4
