"""The rules of tasks: who may own one, when a playbook's task appears, what is overdue, and
what of a checklist each organisation reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.bot.domain.disclosure import Sharing
from warroom.bot.domain.language import Language
from warroom.bot.domain.sharing import Agreement
from warroom.bot.domain.tasks import (
    After,
    OwnerError,
    OwnerKind,
    has_reached,
    is_overdue,
    owner_syntax_problem,
    parse_owner,
)
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations.checklist import room_checklist
from warroom.bot.operations.visibility import Visibility
from warroom.storage.models import Incident, Task

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
ORGS = ("acme", "cert")


@pytest.mark.parametrize(
    ("raw", "role", "scope"),
    [
        ("commander", "commander", ""),
        ("Tech-Lead", "tech-lead", ""),
        ("liaison:cert", "liaison", "cert"),
        ("cert", "liaison", "cert"),  # an org is its liaison
    ],
)
def test_an_owner_is_a_role_a_liaison_or_an_org(raw: str, role: str, scope: str) -> None:
    owner = parse_owner(raw, orgs=ORGS)
    assert (owner.kind, owner.role, owner.scope_org) == (OwnerKind.ROLE, role, scope)


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("liaison", "write liaison:ORG"),
        ("liaison:cloud", "cloud does not take part"),
        ("cloud", "unknown owner 'cloud'"),
        ("boss", "unknown owner 'boss'"),
        ("liaison:", "unknown owner 'liaison:'"),
    ],
)
def test_an_owner_the_incident_lacks_is_refused(raw: str, said: str) -> None:
    with pytest.raises(OwnerError, match=said):
        parse_owner(raw, orgs=ORGS)


def test_a_playbook_owner_is_checked_for_its_form_only() -> None:
    assert owner_syntax_problem("liaison:cert") is None
    assert owner_syntax_problem("cert") is None
    assert owner_syntax_problem("comms") is None
    assert owner_syntax_problem("@bob") is not None
    assert owner_syntax_problem("two words") is not None


@pytest.mark.parametrize(
    ("state", "reached"),
    [
        ("investigating", {After.OPEN}),
        ("identified", {After.OPEN, After.IDENTIFIED}),
        ("contained", {After.OPEN, After.IDENTIFIED, After.CONTAINED}),
        ("monitoring", {After.OPEN, After.IDENTIFIED, After.CONTAINED}),
        ("resolved", set(After)),
        ("closed", set(After)),
    ],
)
def test_a_task_appears_once_its_stage_is_reached_or_passed(
    state: str, reached: set[After]
) -> None:
    assert {a for a in After if has_reached(state, a)} == reached


def test_overdue_means_past_due_and_not_done_by_then() -> None:
    due = NOW + timedelta(hours=1)
    assert not is_overdue(None, None, NOW)
    assert not is_overdue(due, None, NOW)
    assert is_overdue(due, None, NOW + timedelta(hours=2))
    assert not is_overdue(due, NOW, NOW + timedelta(hours=2))
    assert is_overdue(due, NOW + timedelta(hours=3), NOW + timedelta(hours=4))  # done late


def task(number: int, text: str, tlp: Tlp, org: str) -> Task:
    return Task(
        incident_id=1, number=number, text=text, tlp=tlp.label, said_org=org, created_at=NOW
    )


def seen(cap: Tlp | None) -> Visibility:
    incident = Incident(
        id=1, number=1, key="INC-1", title="t", severity=2, tlp="AMBER", opened_at=NOW
    )
    agreements = [Agreement(ORGS, cap)] if cap is not None else []
    return Visibility(incident, Sharing(agreements, frozenset(ORGS)), "acme", {}, frozenset())


TASKS = [
    task(1, "green k1", Tlp.GREEN, "acme"),
    task(2, "amber k2", Tlp.AMBER, "acme"),
    task(3, "strict k3", Tlp.AMBER_STRICT, "acme"),
    task(4, "red k4", Tlp.RED, "acme"),
    task(5, "cert's own k5", Tlp.RED, "cert"),
]


@pytest.mark.parametrize(
    ("reader", "cap", "numbers"),
    [
        ("acme", Tlp.AMBER, [1, 2, 3, 4]),  # its only war room is where it speaks
        ("cert", Tlp.AMBER, [1, 2, 5]),
        ("cert", Tlp.GREEN, [1, 5]),
        ("cert", None, [5]),
    ],
)
def test_each_room_s_checklist_holds_only_what_its_org_may_see(
    reader: str, cap: Tlp | None, numbers: list[int]
) -> None:
    message = room_checklist(seen(cap), TASKS, [], reader, Language())
    assert message is not None
    assert [item.number for item in message.checklist] == numbers
    for t in TASKS:
        assert (t.text in message.body) is (t.number in numbers)
    assert f"0 of {len(numbers)} done" in message.title


def test_no_checklist_is_posted_where_nothing_may_be_seen() -> None:
    hidden = [task(1, "red z9", Tlp.RED, "acme")]
    assert room_checklist(seen(Tlp.RED), hidden, [], "cert", Language()) is None
    shown = room_checklist(seen(Tlp.RED), hidden, [], "cert", Language(), posted=True)
    assert shown is not None and shown.checklist == () and "z9" not in shown.body


def ticked(found: Task, at: datetime = NOW) -> Task:
    found.done_at = at
    return found


def test_a_long_checklist_shows_the_open_tasks_first_then_the_latest_done() -> None:
    many = [task(n, f"step {n}", Tlp.GREEN, "acme") for n in range(1, 121)]
    for done in many[:100]:  # 1 to 100 done; 101 to 120 open
        ticked(done)
    message = room_checklist(seen(Tlp.AMBER), many, [], "cert", Language())
    assert message is not None
    shown = [item.number for item in message.checklist]
    assert shown == [*range(71, 101), *range(101, 121)], "30 latest done, then the 20 open"
    assert "100 of 120 done" in message.title
    assert message.footer == "50 of 120 tasks shown, the open ones first: `tasks` lists them all."
    assert "step 70" not in message.body and "step 120" in message.body


def test_a_long_checklist_of_open_tasks_cuts_the_latest_and_counts_only_what_it_may_see() -> None:
    hidden = [task(n, f"red {n}", Tlp.RED, "acme") for n in range(1, 41)]
    many = hidden + [task(n, f"open {n}", Tlp.GREEN, "acme") for n in range(41, 121)]
    message = room_checklist(seen(Tlp.AMBER), many, [], "cert", Language())
    assert message is not None
    assert [item.number for item in message.checklist] == list(range(41, 91))
    assert "0 of 80 done" in message.title, "the RED tasks are not counted either"
    assert "red" not in message.body and "40" not in message.footer
    assert message.footer.startswith("50 of 80 tasks shown")


def test_a_checklist_within_the_limit_shows_every_task_without_a_footer() -> None:
    few = [ticked(task(n, f"step {n}", Tlp.GREEN, "acme")) for n in range(1, 51)]
    message = room_checklist(seen(Tlp.AMBER), few, [], "cert", Language())
    assert message is not None
    assert [item.number for item in message.checklist] == list(range(1, 51))
    assert message.footer == ""


def test_the_room_left_goes_to_the_tasks_ticked_last_not_the_highest_numbers() -> None:
    many = [task(n, f"step {n}", Tlp.GREEN, "acme") for n in range(1, 53)]
    ticked(many[50], NOW)  # 51 and 52, an hour ago
    ticked(many[51], NOW)
    ticked(many[4], NOW + timedelta(hours=1))  # 5, just now: 49 open, one place left
    message = room_checklist(seen(Tlp.AMBER), many, [], "cert", Language())
    assert message is not None
    shown = [item.number for item in message.checklist]
    assert shown == [*range(1, 5), *range(5, 51)], "5, just ticked, stays where it was ticked"
    assert "3 of 52 done" in message.title


def test_a_long_checklist_of_done_tasks_says_it_shows_the_latest() -> None:
    many = [ticked(task(n, f"step {n}", Tlp.GREEN, "acme")) for n in range(1, 61)]
    message = room_checklist(seen(Tlp.AMBER), many, [], "cert", Language())
    assert message is not None
    assert [item.number for item in message.checklist] == list(range(11, 61))
    assert message.footer == "50 of 60 tasks shown, the latest done: `tasks` lists them all."
