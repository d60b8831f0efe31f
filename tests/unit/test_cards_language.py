"""Cards speak the reader's language; tokens, keys and what people said stay as typed."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations import cards
from warroom.storage.models import Incident, TimelineEntry

GERMAN = Language("de", "Europe/Berlin")
EVENING = datetime(2026, 11, 20, 18, 32, 5, tzinfo=UTC)
INCIDENT = Incident(
    number=1, key="INC-1", title="DB leak", severity=2, tlp="AMBER", opened_at=EVENING
)
NOTE = TimelineEntry(
    seq=3, at=EVENING, kind="note", actor_user_id="alice", actor_org="acme", text="x"
)


def test_a_timeline_line_is_in_the_readers_zone_with_the_zone_named() -> None:
    assert (
        cards.timeline_line(NOTE, "rotated", GERMAN)
        == "#3 19:32:05 MEZ [Notiz] alice@acme: rotated"
    )
    assert cards.timeline_line(NOTE, "rotated") == "#3 18:32:05 UTC [note] alice@acme: rotated"


def test_the_final_report_gives_durations_in_words() -> None:
    times = {"time_to_acknowledge_s": 90.0, "time_to_contain_s": None, "time_to_resolve_s": 7200.0}
    english = cards.final_report(INCIDENT, [], times, title="INC-1: DB leak", tlp=Tlp.AMBER)
    assert english.title == "INC-1 resolved: DB leak"
    assert [f.value for f in english.fields] == ["1 minute 30 seconds", "-", "2 hours"]
    german = cards.final_report(
        INCIDENT, [], times, title="INC-1: DB leak", tlp=Tlp.AMBER, lang=GERMAN
    )
    assert german.title == "INC-1 behoben: DB leak"
    assert german.fields[0].label == "Zeit bis zur Bestätigung"
    assert [f.value for f in german.fields] == ["1 Minute 30 Sekunden", "-", "2 Stunden"]


def test_a_withheld_title_stays_whole_in_the_final_report() -> None:
    withheld = "INC-1 (title withheld: TLP:RED)"
    report = cards.final_report(
        INCIDENT, [], dict.fromkeys(cards_metrics(), None), title=withheld, tlp=Tlp.RED
    )
    assert report.title == withheld


def cards_metrics() -> tuple[str, ...]:
    return ("time_to_acknowledge_s", "time_to_contain_s", "time_to_resolve_s")


def test_the_empty_lists_speak_the_language() -> None:
    assert cards.incident_list([], GERMAN).body == "Keine offenen Incidents."
    assert cards.roles_message(INCIDENT, [], ENGLISH).body == "No roles assigned."
