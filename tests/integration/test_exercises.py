"""Tabletop exercises on the real scheduler and job store, on a fake clock: injects on time
to the right organisations only, each check kind met and missed, `after`-chained injects,
pause and resume, `next`, a restart, the hot wash and the after-action report per org.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakes.adapter import Sent
from tests.fakes.bot import TestBot
from tests.fakes.scheduler import job_times, run_due
from tests.integration.test_reminders import service, started
from tests.integration.test_scheduler_restart import restarted
from warroom.bot.config import Config, parse_config
from warroom.bot.domain.events import RoomRef
from warroom.bot.operations.export import incident_export, markdown_report

MIN = timedelta(minutes=1)
DRILL = """
title = "Drill"
summary = "A short drill."
objectives = ["Contain it"]
severity = 2
tlp = "amber"
parts = ["victim", "cert"]
questions = ["What went well?", "What did not?"]

[[injects]]
id = "first"
at = "0m"
to = "victim"
role = "commander"
text = "Servers are encrypted."

[[injects]]
id = "secret"
at = "10m"
to = "victim"
tlp = "red"
text = "Backups are gone too."

[[injects]]
id = "cert-news"
at = "20m"
to = "cert"
text = "Partners report the same family."

[[injects]]
id = "praise"
after = "contain:met"
at = "1m"
to = "all"
tlp = "green"
text = "Well contained, say the partners."

[[injects]]
id = "press"
after = "contain:missed"
at = "1m"
to = "all"
tlp = "green"
text = "A journalist calls."

[[expectations]]
id = "deputy"
text = "A deputy is named"
by = "victim"
inject = "first"
within = "10m"
score = 2
role = "deputy"

[[expectations]]
id = "contain"
text = "The incident is contained"
by = "victim"
within = "30m"
score = 3
state = "contained"

[[expectations]]
id = "isolate"
text = "The hosts are isolated"
by = "victim"
within = "30m"
task = "Isolate"

[[expectations]]
id = "block"
text = "The victim says it blocks the range"
by = "victim"
within = "30m"
said = "(?i)block"

[[expectations]]
id = "tell-cert"
text = "The victim tells the CERT"
by = "victim"
within = "30m"
relayed_to = "cert"

[[expectations]]
id = "embargo"
text = "An embargo is agreed"
by = "cert"
within = "40m"
manual = true
"""
START = "exercise start drill --part victim=acme --part cert=cert"


def config(folder: Path) -> Config:
    (folder / "drill.toml").write_text(DRILL)
    return parse_config(
        {
            "exercises": {"dir": str(folder)},
            "orgs": [
                {"id": "acme", "platform": "console", "digest_room": "digest-acme"},
                {"id": "cert", "platform": "console", "digest_room": "digest-cert"},
                {"id": "rogue", "platform": "console"},
            ],
            "sharing": [{"orgs": ["acme", "cert"]}],
        }
    )


@pytest.fixture
async def xbot(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[TestBot]:
    bot = await started(store_url, monkeypatch, config(tmp_path))
    yield bot
    await bot.close()


def rooms(bot: TestBot) -> dict[str, RoomRef]:
    return {
        s.extra["spec"].org: s.room  # type: ignore[attr-defined]
        for s in bot.adapter.of_kind("create_room")
        if s.room is not None
    }


def injects_in(bot: TestBot, org: str) -> list[str]:
    room = rooms(bot)[org]
    return [
        s.message.body
        for s in bot.adapter.of_kind("post")
        if s.room == room and s.message and "inject" in s.message.title
    ]


def everything_in(bot: TestBot, org: str) -> list[Sent]:
    return [s for s in bot.adapter.sent if s.room == rooms(bot)[org]]


async def begin(bot: TestBot, start: str = START) -> RoomRef:
    await bot.send(start)
    await run_due(service(bot))
    bot.room = rooms(bot)["acme"]
    return bot.room


async def advance(bot: TestBot, delta: timedelta) -> None:
    bot.clock.advance(delta)
    await run_due(service(bot))


def outcomes(bot: TestBot) -> dict[str, tuple[bool | None, str]]:
    with bot.db() as uow:
        return {e.expectation_id: (e.met, e.actor) for e in uow.exercises.expectations(1)}


async def test_injects_arrive_on_time_in_the_target_parts_rooms_only(xbot: TestBot) -> None:
    await begin(xbot)
    assert injects_in(xbot, "acme") == ["Servers are encrypted."]
    assert injects_in(xbot, "cert") == []
    await advance(xbot, 9 * MIN)
    assert len(injects_in(xbot, "acme")) == 1
    await advance(xbot, 1 * MIN)
    assert injects_in(xbot, "acme")[-1] == "Backups are gone too."
    await advance(xbot, 10 * MIN)
    assert injects_in(xbot, "cert") == ["Partners report the same family."]
    assert not any("Backups are gone" in s.text for s in everything_in(xbot, "cert"))
    with xbot.db() as uow:
        kinds = [(e.kind, e.actor_org, e.tlp) for e in uow.timeline.entries(1)]
    assert ("inject", "acme", "RED") in kinds and ("inject", "cert", "AMBER") in kinds


async def test_an_inject_is_marked_as_an_exercise(xbot: TestBot) -> None:
    await begin(xbot)
    [post] = [s for s in everything_in(xbot, "acme") if s.message and "inject" in s.message.title]
    assert post.message is not None and post.message.title == "🎭 EXERCISE · inject first"
    assert "This is an exercise" in post.message.footer


async def test_each_check_kind_is_met_from_the_timeline_with_who_and_when(xbot: TestBot) -> None:
    await begin(xbot)
    await advance(xbot, 2 * MIN)
    await xbot.send("role deputy @bob")
    await xbot.send("task add Isolate the file servers")
    await xbot.send("task done 1")
    await xbot.say("we block the scanning range now")
    await xbot.send("update holding --state contained")
    await xbot.send("exercise score embargo met")
    found = outcomes(xbot)
    assert found["deputy"] == (True, "bob")
    assert found["isolate"] == (True, "alice")
    assert found["block"] == (True, "alice")
    assert found["tell-cert"] == (True, "alice")  # AMBER, relayed to the CERT's room
    assert found["contain"] == (True, "alice")
    assert found["embargo"] == (True, "alice")
    with xbot.db() as uow:
        [decided] = [
            e.decided_at for e in uow.exercises.expectations(1) if e.expectation_id == "deputy"
        ]
        met = [e.text for e in uow.timeline.entries(1) if e.kind == "expectation"]
    assert decided == xbot.clock.now()
    assert "Expectation deputy (victim) met after 2m 00s, 2 points: A deputy is named" in met


async def test_windows_close_missed_and_the_missed_branch_is_injected(xbot: TestBot) -> None:
    await begin(xbot)
    await advance(xbot, 10 * MIN)
    assert outcomes(xbot)["deputy"] == (False, "")
    await advance(xbot, 20 * MIN)
    found = outcomes(xbot)
    assert all(found[e] == (False, "") for e in ("contain", "isolate", "block", "tell-cert"))
    assert "A journalist calls." not in injects_in(xbot, "acme")
    await advance(xbot, 1 * MIN)
    assert injects_in(xbot, "acme")[-1] == "A journalist calls."
    assert injects_in(xbot, "cert")[-1] == "A journalist calls."
    assert "Well contained, say the partners." not in injects_in(xbot, "acme")


async def test_a_met_expectation_releases_its_chained_inject(xbot: TestBot) -> None:
    await begin(xbot)
    await advance(xbot, 3 * MIN)
    await xbot.send("update holding --state contained")
    assert job_times(service(xbot))["exercises"] == xbot.clock.now() + 1 * MIN
    await advance(xbot, 1 * MIN)
    assert injects_in(xbot, "cert")[-1] == "Well contained, say the partners."


async def test_a_pause_holds_everything_and_resume_shifts_it(xbot: TestBot) -> None:
    await begin(xbot)
    await advance(xbot, 5 * MIN)
    await xbot.send("exercise pause")
    assert "exercises" not in job_times(service(xbot))
    await advance(xbot, 60 * MIN)
    assert len(injects_in(xbot, "acme")) == 1
    assert outcomes(xbot)["deputy"] == (None, "")
    await xbot.send("exercise resume")
    await advance(xbot, 4 * MIN)
    assert len(injects_in(xbot, "acme")) == 1
    await advance(xbot, 1 * MIN)
    assert injects_in(xbot, "acme")[-1] == "Backups are gone too."


async def test_next_delivers_the_next_inject_now(xbot: TestBot) -> None:
    await begin(xbot)
    await xbot.send("exercise next")
    assert injects_in(xbot, "acme")[-1] == "Backups are gone too."
    await xbot.send("exercise next")
    assert injects_in(xbot, "cert") == ["Partners report the same family."]
    await advance(xbot, 20 * MIN)
    assert len(injects_in(xbot, "acme")) == 2  # not again at their time


async def test_speed_runs_a_scenario_minute_in_a_second(xbot: TestBot) -> None:
    await begin(xbot, START + " --speed 60")
    await advance(xbot, timedelta(seconds=9))
    assert len(injects_in(xbot, "acme")) == 1
    await advance(xbot, timedelta(seconds=1))
    assert injects_in(xbot, "acme")[-1] == "Backups are gone too."


async def test_a_restart_mid_exercise_loses_and_doubles_no_inject(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drill = config(tmp_path)
    first = await started(store_url, monkeypatch, drill)
    await begin(first)
    await advance(first, 5 * MIN)
    await first.close()

    bot = await restarted(store_url, monkeypatch, 14 * MIN, drill)
    try:
        assert bot.app.reminders is not None
        await bot.app.reminders.start()
        await bot.app.reminders.leading.wait()
        await run_due(service(bot))
        await run_due(service(bot))
        with bot.db() as uow:
            sent = [e.text for e in uow.timeline.entries(1) if e.kind == "inject"]
        assert sent == ["Servers are encrypted.", "Backups are gone too."]
        posted = [s.message.body for s in bot.adapter.of_kind("post") if s.message]
        assert posted.count("Backups are gone too.") == 1
    finally:
        await bot.close()


async def test_the_hot_wash_goes_to_every_room_as_each_org_may_see_it(xbot: TestBot) -> None:
    await begin(xbot)
    await xbot.send("role deputy @bob")
    await xbot.send("exercise end")
    acme = [s for s in everything_in(xbot, "acme") if s.message and "hot wash" in s.message.title]
    cert = [s for s in everything_in(xbot, "cert") if s.message and "hot wash" in s.message.title]
    assert len(acme) == len(cert) == 1
    assert "1. What went well?" in acme[0].text and "1. What went well?" in cert[0].text
    assert "✅ deputy (victim, acme): A deputy is named — met after 0m 00s" in acme[0].text
    assert "acme: 2 of 8 points" in acme[0].text and "cert: 0 of 1 points" in acme[0].text
    with xbot.db() as uow:
        run = uow.exercises.get(1)
        assert run is not None and run.ended_at == xbot.clock.now()
    await xbot.send("exercise answer 1 TLP:RED the deputy was quick")
    cora = {"user": "cora", "org": "cert", "room": rooms(xbot)["cert"]}
    await xbot.say("cora here", **cora)
    await xbot.send("exercise answer 2 nobody warned the CERT", **cora)  # fmt: skip
    with xbot.db() as uow:
        mine = incident_export(uow, "INC-1", config=xbot.config, as_org="acme")
        theirs = incident_export(uow, "INC-1", config=xbot.config, as_org="cert")
    assert [j["id"] for j in mine["exercise_run"]["injects"]] == ["first"]
    assert [a["text"] for a in mine["exercise_run"]["answers"]] == [
        "Answer to question 1: TLP:RED the deputy was quick",
        "Answer to question 2: nobody warned the CERT",
    ]
    assert [a["text"] for a in theirs["exercise_run"]["answers"]] == [
        "Answer to question 2: nobody warned the CERT"
    ]
    report = markdown_report(theirs)
    assert "## After-action report: Drill" in report
    assert "the deputy was quick" not in report
    assert "- cert: 0 of 1 points" in report


async def test_the_after_action_report_holds_no_red_inject_for_another_org(
    xbot: TestBot,
) -> None:
    await begin(xbot)
    await advance(xbot, 10 * MIN)
    await xbot.send("exercise end")
    with xbot.db() as uow:
        mine = incident_export(uow, "INC-1", config=xbot.config, as_org="acme")
        theirs = incident_export(uow, "INC-1", config=xbot.config, as_org="cert")
    assert [j["id"] for j in mine["exercise_run"]["injects"]] == ["first", "secret"]
    assert [j["id"] for j in theirs["exercise_run"]["injects"]] == ["first"]
    assert "Backups are gone" not in markdown_report(theirs)
    assert "Backups are gone" in markdown_report(mine)
    expectations = mine["exercise_run"]["expectations"]
    assert {e["id"] for e in expectations} >= {"deputy", "embargo"}
    deputy = next(e for e in expectations if e["id"] == "deputy")
    assert (deputy["by"], deputy["met"], deputy["score"]) == ("victim", False, 0)


def incidents(bot: TestBot) -> int:
    with bot.db() as uow:
        return uow.incidents.next_number() - 1


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("exercise start nothing --part victim=acme", "unknown scenario 'nothing'"),
        (START + " --part boss=acme", "unknown part 'boss'"),
        ("exercise start drill --part victim=acme", "no organisation plays cert"),
        ("exercise start drill --part victim=acme --part cert=rogue", "part cert (rogue)"),
        ("exercise start drill --part victim=acme --part cert=nowhere", "unknown organisation"),
        (START + " --speed 0", "must be a positive whole number"),
        ("exercise dance", "unknown exercise action 'dance'"),
    ],
)
async def test_a_bad_start_gets_a_reason_and_opens_nothing(
    xbot: TestBot, command: str, reason: str
) -> None:
    [answer] = await xbot.send(command)
    assert reason in answer.text and answer.kind == "notify"
    assert incidents(xbot) == 0


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("exercise score deputy met", "'deputy' is not an expectation scored by hand"),
        ("exercise score embargo maybe", "say which expectation and met or missed"),
        ("exercise answer 3 late", "there is no question 3"),
        ("exercise resume", "the exercise is not paused"),
    ],
)
async def test_a_bad_step_gets_a_reason_and_changes_nothing(
    xbot: TestBot, command: str, reason: str
) -> None:
    await begin(xbot)
    with xbot.db() as uow:
        before = len(uow.timeline.entries(1))
    [answer] = await xbot.send(command)
    assert reason in answer.text and answer.kind == "notify"
    with xbot.db() as uow:
        assert len(uow.timeline.entries(1)) == before


async def test_next_when_nothing_is_left_is_refused(xbot: TestBot) -> None:
    await begin(xbot)
    await xbot.send("exercise next")
    await xbot.send("exercise next")
    [answer] = await xbot.send("exercise next")
    assert "no inject is left to deliver" in answer.text


async def test_only_the_facilitator_or_a_lead_steers_it(xbot: TestBot) -> None:
    await begin(xbot)
    [answer] = await xbot.send("exercise pause", user="cora", org="cert", room=rooms(xbot)["cert"])
    assert "not allowed" in answer.text


async def test_facilitators_in_config_restrict_who_starts_one(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = config(tmp_path)
    limited = parse_config(
        {
            "exercises": {"dir": str(tmp_path), "facilitators": ["carol"]},
            "orgs": [{"id": o.id, "platform": "console"} for o in base.orgs],
            "sharing": [{"orgs": ["acme", "cert"]}],
        }
    )
    bot = await started(store_url, monkeypatch, limited)
    try:
        [answer] = await bot.send(START)
        assert "only the facilitators" in answer.text
        await bot.send(START, user="carol")
        assert incidents(bot) == 1
    finally:
        await bot.close()


async def test_exercise_list_names_the_shipped_and_the_folder_scenarios(xbot: TestBot) -> None:
    [answer] = await xbot.send("exercise list")
    for name in ("drill", "ransomware-supplier", "leaked-cloud-credentials"):
        assert f"{name}: " in answer.text
    assert "vulnerability-disclosure: Coordinated disclosure" in answer.text


async def test_a_scenario_file_with_an_error_is_named_and_nothing_starts(
    xbot: TestBot, tmp_path: Path
) -> None:
    (tmp_path / "broken.toml").write_text('title = "B"\nparts = []\n')
    [answer] = await xbot.send(START)
    assert "a scenario file has an error" in answer.text and "broken.toml: parts" in answer.text
    assert incidents(xbot) == 0


async def test_an_exercise_digest_is_marked(xbot: TestBot) -> None:
    await begin(xbot)
    digests = [  # the digests, not the signed checkpoints' lines the room gets too
        s
        for s in xbot.adapter.of_kind("post")
        if s.room and s.room.room_id == "digest-acme" and s.message and not s.message.attachment
    ]
    assert digests and digests[0].message is not None
    assert digests[0].message.title.startswith("🎭 EXERCISE · 📋 INC-1 digest")


async def test_a_shipped_exercises_injects_read_in_each_orgs_language(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """acme reads German, cert English: each inject of the shipped scenario in its words."""
    german = config(tmp_path)
    acme, *others = german.orgs
    german = replace(german, orgs=(replace(acme, locale="de"), *others))
    bot = await started(store_url, monkeypatch, german)
    try:
        await begin(
            bot, "exercise start leaked-cloud-credentials --part victim=acme --part provider=cert"
        )
        assert injects_in(bot, "cert") == [
            "Secret scanning found an access key of the customer's production account in a "
            "public repository, committed 40 minutes ago."
        ]
        await advance(bot, 5 * MIN)
        acme_room = rooms(bot)["acme"]
        posts = [s.message for s in bot.adapter.of_kind("post") if s.room == acme_room]
        assert [m.body for m in posts if m and "Einspielung notified" in m.title] == [
            "Ihr Cloud-Anbieter teilt Ihnen mit, dass einer Ihrer Produktiv-Zugriffsschlüssel "
            "öffentlich ist und von einer Ihnen unbekannten Adresse verwendet wurde."
        ]
        with bot.db() as uow:
            stored = [e.text for e in uow.timeline.entries(1) if e.kind == "inject"]
        assert stored[-1].startswith("Your cloud provider tells you"), "stored English"
    finally:
        await bot.close()
