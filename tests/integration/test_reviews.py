"""The post-incident review across organisations, through the real wiring, on SQLite and
PostgreSQL: each organisation's review holds only its share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.bot import TestBot
from tests.integration.test_reminders import CONFIG
from warroom.bot.domain.events import MessageRef, ReactionAdded, RoomRef
from warroom.bot.domain.language import language
from warroom.bot.operations.audit import verify
from warroom.bot.operations.export import incident_export, markdown_report


@pytest.fixture
async def two(store_url: str) -> AsyncIterator[TestBot]:
    bot = TestBot(store_url, config=CONFIG, platform="console")
    yield bot
    await bot.close()


def rooms(bot: TestBot) -> dict[str, RoomRef]:
    with bot.db() as uow:
        return {link.org: link.room for link in uow.rooms.for_incident(1)}


def timeline_length(bot: TestBot) -> int:
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None
        return incident.timeline_seq


def refusal(sent: list) -> str:
    [answer] = [s for s in sent if s.kind == "notify"]
    return answer.text


async def cross_org_review(bot: TestBot) -> dict[str, RoomRef]:
    """acme and cert each say a lesson at the incident's AMBER, one kept at home, and a
    task and a follow-up each."""
    await bot.open('open "VPN breach" --sev 2 --tlp amber --org cert')
    room = rooms(bot)
    bot.room = room["acme"]
    await bot.say("hello from cert", user="cora", org="cert", room=room["cert"])
    await bot.send("task add k1z shared task")
    await bot.say("k9z they came in through the VPN", event_id="said-k9z")
    pin = ReactionAdded(
        bot.actor(), room["acme"], MessageRef(room["acme"], "said-k9z"), "📌", "p1"
    )
    await bot.app.core.handle(pin)
    await bot.send("role deputy @bob")
    await bot.send("task add TLP:RED k2z acme only task")
    await bot.send("update we pinned it down --state contained")
    await bot.send("resolve patched the VPN")
    await bot.send("review")
    await bot.send("review good k3z the on-call answered in minutes")
    await bot.send("review improve TLP:RED k4z our VPN logs were off")
    cert = {"user": "cora", "org": "cert", "room": room["cert"]}
    await bot.send("review good k5z acme shared indicators at once", **cert)
    await bot.send("review improve TLP:AMBER+STRICT k6z we missed the first mail", **cert)
    await bot.send("followup add k7z turn VPN logs on for good --owner commander --due 7d")
    await bot.send('followup add "TLP:AMBER+STRICT k8z train the mail desk" --owner @cora', **cert)
    return room


async def test_review_before_resolve_is_refused_and_changes_nothing(two: TestBot) -> None:
    await two.open('open "VPN breach" --sev 2')
    before = timeline_length(two)
    for text in ("review", "review good quick triage", "review done"):
        sent = await two.send(text)
        assert "INC-1 is investigating: the review comes after `resolve`" in refusal(sent)
    await two.send("review soon")
    assert timeline_length(two) == before
    with two.db() as uow:
        assert uow.reviews.get(1) is None and list(uow.reviews.lessons(1)) == []


async def test_each_orgs_review_holds_only_its_share(two: TestBot) -> None:
    room = await cross_org_review(two)
    acme = (await two.send("review"))[-1]
    assert acme.room == room["acme"] and acme.message is not None
    assert acme.message.title == "Post-incident review (draft): INC-1: VPN breach"
    for shown in ("k1z", "k2z", "k3z", "k4z", "k5z", "k7z", "patched the VPN"):
        assert shown in acme.text, shown
    again = (await two.send("review"))[-1]
    assert again.text == acme.text  # re-posted as it stands; nothing new was said
    assert "k6z" not in acme.text and "k8z" not in acme.text
    assert acme.message.tlp == "RED"
    cert = (await two.send("review", user="cora", org="cert", room=room["cert"]))[-1]
    assert cert.room == room["cert"]
    for shown in ("k1z", "k3z", "k5z", "k6z", "k7z", "k8z"):
        assert shown in cert.text, shown
    assert "k2z" not in cert.text and "k4z" not in cert.text
    assert cert.message is not None and cert.message.tlp == "AMBER+STRICT"
    for review in (acme.text, cert.text):
        moments = review[review.index("**Key moments**") : review.index("**Metrics**")]
        assert moments.splitlines()[1:] == [
            "12:00 UTC Opened: VPN breach (SEV2, TLP:AMBER)",
            "12:00 UTC alice is now commander",
            "12:00 UTC 📌 #7 alice: k9z they came in through the VPN",
            "12:00 UTC bob is now deputy",
            "12:00 UTC State investigating → contained",
            "12:00 UTC Resolved: patched the VPN",
            "",
        ]


async def test_lessons_and_the_final_mark_are_on_the_chain_and_final_means_final(
    two: TestBot,
) -> None:
    room = await cross_org_review(two)
    cert = {"user": "cora", "org": "cert", "room": room["cert"]}
    sent = await two.send("review done", **cert)
    assert "not allowed: only the commander or deputy of INC-1 may review" in refusal(sent)
    final = (await two.send("review done"))[-1]
    assert final.message is not None and final.message.title.startswith("Post-incident review:")
    assert "Final since" in final.message.footer
    before = timeline_length(two)
    sent = await two.send("review good too late", **cert)
    assert "the review of INC-1 is final already" in refusal(sent)
    sent = await two.send("review done")
    assert "the review of INC-1 is final already" in refusal(sent)
    assert timeline_length(two) == before
    with two.db() as uow:
        kinds = [(e.kind, e.text) for e in uow.timeline.entries(1) if e.kind == "review"]
        assert [t for _, t in kinds] == [
            "Post-incident review drafted",
            "Post-incident review marked final",
        ]
        lessons = [e.text for e in uow.timeline.of_kind(1, "lesson")]
        assert lessons[0] == "Lesson, went well: k3z the on-call answered in minutes"
        assert len(lessons) == 4
        assert verify(uow, "INC-1")[1] == []


async def test_exports_hold_each_orgs_review_and_follow_ups(two: TestBot) -> None:
    await cross_org_review(two)
    await two.send("close")
    lobby = RoomRef("console", "W1", "lobby")
    [answer] = await two.send("review --id INC-1", user="cora", org="cert", room=lobby)
    assert answer.kind == "notify" and answer.user is not None and answer.user.user_id == "cora"
    assert "k6z" in answer.text and "k4z" not in answer.text  # after close, privately

    def export(org: str | None) -> dict:
        return two.app.store.transaction_sync(
            lambda uow: incident_export(uow, "INC-1", config=two.config, as_org=org)
        )

    everything = export(None)
    assert [lesson["text"][:3] for lesson in everything["review"]["lessons"]] == [
        "k3z",
        "TLP",
        "k5z",
        "TLP",
    ]
    assert everything["review"]["state"] == "draft"
    assert [f["number"] for f in everything["followups"]] == [1, 2]
    acme, cert = export("acme"), export("cert")
    acme_lessons = " ".join(x["text"] for x in acme["review"]["lessons"])
    cert_lessons = " ".join(x["text"] for x in cert["review"]["lessons"])
    assert "k4z" in acme_lessons and "k6z" not in acme_lessons
    assert "k6z" in cert_lessons and "k4z" not in cert_lessons
    assert [f["text"][:3] for f in acme["followups"]] == ["k7z"]
    assert {f["number"] for f in cert["followups"]} == {1, 2}
    assert acme["followups"][0]["owner"] == {
        "platform": "console",
        "user_id": "alice",
        "display": "alice",
        "org": "acme",
        "as": "commander",
    }
    report = markdown_report(cert)
    assert "## Post-incident review" in report and "k6z" in report and "k8z" in report
    assert "k4z" not in report and "k2z" not in report


async def test_the_report_holds_the_review_in_the_readers_language(two: TestBot) -> None:
    await cross_org_review(two)
    german = language("de", "Europe/Berlin")
    data = two.app.store.transaction_sync(
        lambda uow: incident_export(uow, "INC-1", config=two.config, as_org="acme", lang=german)
    )
    report = markdown_report(data, german)
    review = report[report.index("## Nachbetrachtung") : report.index("## Timeline")]
    assert "Entwurf seit 1. Jan. 2026, 13:00 MEZ" in review
    assert "### Was gut lief\n\n- k3z the on-call answered in minutes — alice (acme)\n" in review
    assert "### Was zu verbessern ist\n\n- TLP:RED k4z our VPN logs were off" in review
    assert (
        "## Folgemaßnahmen\n\n- [ ] 1. k7z turn VPN logs on for good — @alice (commander) · "
        "fällig 8. Jan. 2026, 13:00 MEZ\n" in review
    )
    assert "k6z" not in report and "k8z" not in report
