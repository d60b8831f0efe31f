"""A message's dict is what `dataclasses.asdict` would give (checklists are fingerprinted
from it, and a stored fingerprint must still match after an upgrade)."""

from __future__ import annotations

from dataclasses import asdict

from warroom.bot.domain.events import UserRef
from warroom.bot.domain.messages import Attachment, ChecklistItem, Field, Message


def test_a_full_message_gives_what_asdict_gives() -> None:
    message = Message(
        body="body",
        title="title",
        fields=(Field("Severity", "SEV2"), Field("State", "identified")),
        tlp="TLP:AMBER",
        mentions=(UserRef("slack", "T1", "U1", "alice"), UserRef("matrix", "example.org", "@b")),
        footer="footer",
        reply_to="m1",
        checklist=(ChecklistItem(1, "isolate", True, "@bob"), ChecklistItem(2, "report")),
        attachment=Attachment("checkpoint", '{"a": 1}'),
    )
    assert message.to_dict() == asdict(message)
    assert list(message.to_dict()) == list(asdict(message))


def test_an_empty_message_gives_what_asdict_gives() -> None:
    message = Message()
    assert message.to_dict() == asdict(message)
