"""Follow-ups, the action items that outlive an incident, through the real wiring, on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.integration.test_reminders import CONFIG
from warroom.bot.config import parse_config
from warroom.bot.domain.events import RoomRef
from warroom.bot.operations.audit import verify

LOBBY = RoomRef("console", "W1", "lobby")
DAY = timedelta(days=1)
WITH_LIAISON = parse_config(
    {
        "orgs": [
            {"id": "acme", "platform": "console", "digest_room": "digest-acme"},
            {"id": "cert", "platform": "console", "digest_room": "digest-cert", "liaison": "cora"},
        ],
        "sharing": [{"orgs": ["acme", "cert"]}],
    }
)


@pytest.fixture
async def two(store_url: str) -> AsyncIterator[TestBot]:
    bot = TestBot(store_url, config=CONFIG, platform="console")
    yield bot
    await bot.close()


def state(bot: TestBot) -> tuple[list[tuple[int, str, bool]], int]:
    """The follow-ups (number, text, done) and the timeline's length: what a refusal leaves."""
    with bot.db() as uow:
        incident = uow.incidents.by_key("INC-1")
        assert incident is not None and incident.id is not None
        found = [
            (f.number, f.text, f.done_at is not None)
            for f in uow.followups.for_incident(incident.id)
        ]
        return found, incident.timeline_seq


def refusal(sent: list[Sent]) -> str:
    [answer] = [s for s in sent if s.kind == "notify"]
    return answer.text


def cert_room(bot: TestBot) -> RoomRef:
    with bot.db() as uow:
        [room] = [link.room for link in uow.rooms.for_incident(1) if link.org == "cert"]
        return room


async def test_follow_ups_are_numbered_per_incident_and_each_change_is_on_the_chain(
    two: TestBot,
) -> None:
    await two.open('open "VPN breach" --sev 2')
    await two.send("followup add turn the VPN logs on --owner commander --due 7d")
    await two.send("followup add write the runbook --owner @alice")
    await two.send("followup done 1")
    await two.send("followup reopen 1")
    with two.db() as uow:
        assert [e.text for e in uow.timeline.of_kind(1, "followup")] == [
            "Follow-up #1 added (owner @alice (commander), due Jan 8, 2026, 12:00 UTC): "
            "turn the VPN logs on",
            "Follow-up #2 added (owner @alice): write the runbook",
            "Follow-up #1 done",
            "Follow-up #1 reopened",
        ]
        assert verify(uow, "INC-1")[1] == []
    await two.send('open "another one"', room=LOBBY)
    two.room = two.adapter.of_kind("create_room")[-1].room  # type: ignore[assignment]
    await two.send("followup add its own first --owner commander")
    with two.db() as uow:
        assert [f.number for f in uow.followups.for_incident(2)] == [1]


async def test_a_role_owner_is_pinned_to_whoever_holds_the_role_when_it_is_added(
    two: TestBot,
) -> None:
    await two.open('open "VPN breach" --sev 2')
    await two.send("role deputy @bob")
    await two.send("followup add brief the board --owner deputy")
    await two.send("role deputy @carol")
    with two.db() as uow:
        [pinned] = uow.followups.for_incident(1)
        assert (pinned.owner_user_id, pinned.owner_as) == ("bob", "deputy")


async def test_bad_input_gets_one_line_and_changes_nothing(two: TestBot) -> None:
    await two.open('open "VPN breach" --sev 2')
    await two.send("followup add patch it --owner commander")
    before = state(two)
    cases = {
        "followup add patch more": "--owner is missing",
        "followup add patch more --owner scribe": "nobody holds the role scribe in INC-1",
        "followup add patch more --owner nobody": "unknown owner 'nobody'",
        "followup add patch more --owner liaison:cert": "cert does not take part in this incident",
        "followup add patch more --owner commander --due soon": "'soon' is not a duration",
        "followup add --owner commander": "TEXT is missing",
        "followup done 7": "there is no follow-up #7 in INC-1",
        "followup done x": "N must be the follow-up's number",
        "followup reopen 1": "follow-up #1 is not done",
        "followup done 1 --due 1d": "--owner and --due go with `followup add`",
        "followup drop 1": "unknown followup action 'drop'",
        "followup due 1": "D is missing",
        "followup due 1 soon": "'soon' is not a duration",
        "followup due 9 1d": "there is no follow-up #9 in INC-1",
        "followup due x 1d": "N must be the follow-up's number",
    }
    for command, reason in cases.items():
        answer = refusal(await two.send(command))
        assert reason in answer, (command, answer)
        assert "usage: followup" in answer
    assert state(two) == before


async def test_a_follow_up_is_re_timed_by_a_lead_or_its_owner_only(two: TestBot) -> None:
    await two.open('open "VPN breach" --sev 2')
    await two.send("followup add patch it --owner @bob --due 1d")
    await two.send("followup add brief them --owner commander")
    before = state(two)
    answer = refusal(await two.send("followup due 2 2d", user="bob"))
    assert "not allowed: only the commander, the deputy or the owner of follow-up #2" in answer
    await two.send("followup done 2")
    answer = refusal(await two.send("followup due 2 2d"))
    assert "follow-up #2 is done already" in answer and "usage: followup due N D" in answer
    assert state(two)[1] == before[1] + 1  # only the `done`
    said = await two.send("followup due 1 3d", user="bob")  # its owner
    assert "bob set follow-up #1 due Jan 4, 2026, 12:00 UTC" in said[-1].text
    await two.send("resolve done")
    await two.send("close")
    await two.send("followup due 1 5d --id INC-1", room=LOBBY)  # the commander, after close
    with two.db() as uow:
        [first, _] = uow.followups.for_incident(1)
        assert first.due_at is not None and first.due_at == two.clock.now() + 5 * DAY
        assert uow.timeline.of_kind(1, "followup")[-1].text == (
            "Follow-up #1 due Jan 6, 2026, 12:00 UTC (was Jan 4, 2026, 12:00 UTC)"
        )
        assert verify(uow, "INC-1")[1] == []


async def test_an_owner_whose_org_may_not_see_it_is_refused(store_url: str) -> None:
    bot = TestBot(store_url, config=WITH_LIAISON, platform="console")
    try:
        await bot.open('open "VPN breach" --sev 2 --org cert')
        bot.room = bot.adapter.of_kind("create_room")[0].room  # type: ignore[assignment]
        before = state(bot)
        answer = refusal(await bot.send('followup add "TLP:AMBER+STRICT our mail" --owner cert'))
        assert "@cora (liaison:cert) is of cert, which may not see a follow-up at " in answer
        assert state(bot) == before
        await bot.send("followup add share the IOCs --owner cert")
        with bot.db() as uow:
            [pinned] = uow.followups.for_incident(1)
            assert (pinned.owner_user_id, pinned.owner_org) == ("cora", "cert")
    finally:
        await bot.close()


async def test_follow_ups_outlive_close(two: TestBot) -> None:
    await two.open('open "VPN breach" --sev 2')
    await two.send("followup add rotate the keys --owner commander")
    await two.send("resolve done")
    await two.send("close")
    await two.send("followup add one more --owner @alice --id INC-1", room=LOBBY)
    await two.send("followup done 1 --id INC-1", room=LOBBY)
    assert state(two)[0] == [(1, "rotate the keys", True), (2, "one more", False)]
    answer = refusal(await two.send("note still here --id INC-1", room=LOBBY))
    assert "INC-1 is closed" in answer


async def test_followups_lists_across_incidents_what_the_callers_org_may_see(
    two: TestBot,
) -> None:
    await two.open('open "VPN breach" --sev 2 --org cert')
    acme_room = two.room = two.adapter.of_kind("create_room")[0].room  # type: ignore[assignment]
    cert = {"user": "cora", "org": "cert", "room": cert_room(two)}
    await two.say("here", **cert)
    await two.send("followup add k1z shared --owner @cora --due 1d", **cert)
    await two.send('followup add "TLP:RED k2z ours alone" --owner commander')
    await two.send('followup add "TLP:AMBER+STRICT k3z cert alone" --owner @cora', **cert)
    await two.send("followup done 3", **cert)
    await two.send('open "second"', room=LOBBY)
    two.room = two.adapter.of_kind("create_room")[-1].room  # type: ignore[assignment]
    await two.send("followup add k4z second's --owner commander")

    everything = (await two.send("followups", room=LOBBY))[-1].text
    assert "INC-1: VPN breach" in everything and "INC-2: second" in everything
    assert all(k in everything for k in ("k1z", "k2z", "k4z")) and "k3z" not in everything
    theirs = (await two.send("followups", user="cora", org="cert", room=LOBBY))[-1].text
    assert "k1z" in theirs and "k3z" in theirs
    assert "k2z" not in theirs and "k4z" not in theirs and "INC-2" not in theirs
    mine = (await two.send("followups --mine --open", user="cora", org="cert", room=LOBBY))[-1]
    assert "k1z" in mine.text and "k3z" not in mine.text
    here = (await two.send("followups", room=acme_room))[-1].text
    assert "INC-1 follow-ups" in here and "k4z" not in here and "k2z" in here
