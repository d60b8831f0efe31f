"""Entries appended to several incidents' timelines at once (a burst of reminders) are the
entries `append` would have made one by one: the same seqs and hashes, each chain intact,
each incident's head at its last entry. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.fakes.bot import TestBot
from warroom.bot.domain.vocabulary import EntryKind
from warroom.bot.operations import incidents
from warroom.bot.operations.audit import verify
from warroom.storage.store import UnitOfWork
from warroom.storage.timeline import ToAppend

AT = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
SAID = [  # the second incident says two things, as an escalation does
    ("INC-1", EntryKind.REMINDER, "Reminder: no status update for 30m"),
    ("INC-2", EntryKind.ESCALATION, "Escalated: the reminder went unanswered"),
    ("INC-2", EntryKind.ESCALATION_NOTICE, "digest room told"),
]


def tails(uow: UnitOfWork) -> dict[str, tuple[int, str]]:
    found = {}
    for key in ("INC-1", "INC-2"):
        incident = uow.incidents.by_key(key)
        assert incident is not None
        found[key] = (incident.timeline_seq, incident.timeline_head)
    return found


async def test_a_batch_of_entries_chains_as_one_by_one_would(store_url: str) -> None:
    bot = TestBot(store_url)
    try:
        for title in ("Phishing", "Botnet"):
            await bot.send(f'open "{title}"')
        with bot.db() as uow:
            before = tails(uow)
            said = []
            for key, kind, text in SAID:
                incident = uow.incidents.by_key(key, for_update=True)
                assert incident is not None
                said.append(ToAppend(incident, kind, text, "AMBER"))
            # one by one, on a copy of the state, then rolled back
            nested = uow.session.begin_nested()
            one_by_one = [
                uow.timeline.append(
                    item.incident,
                    at=AT,
                    kind=item.kind,
                    actor=incidents.BOT,
                    text=item.text,
                    tlp=item.tlp,
                )
                for item in said
            ]
            nested.rollback()
        with bot.db() as uow:
            assert tails(uow) == before
            said = [
                ToAppend(uow.incidents.by_key(key, for_update=True), kind, text, "AMBER")  # type: ignore[arg-type]
                for key, kind, text in SAID
            ]
            batch = uow.timeline.append_many(said, at=AT, actor=incidents.BOT)
            uow.commit()
        assert [(e.seq, e.hash) for e in batch] == [(e.seq, e.hash) for e in one_by_one]
        with bot.db() as uow:
            after = tails(uow)
            assert after["INC-1"] == (before["INC-1"][0] + 1, batch[0].hash)
            assert after["INC-2"] == (before["INC-2"][0] + 2, batch[2].hash)
            assert batch[2].prev_hash == batch[1].hash
            assert verify(uow)[1] == []
    finally:
        await bot.close()
