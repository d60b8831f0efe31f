"""A store's reader: its transactions see what was committed, take no write lock on SQLite
(a long read never holds up the writer), and cannot write."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from warroom.storage.models import Counter
from warroom.storage.read_only import read_only_store, recording_store
from warroom.storage.store import Store, UnitOfWork


@pytest.fixture
def url(sqlite_template: Path, tmp_path: Path) -> str:
    shutil.copyfile(sqlite_template, tmp_path / "warroom.db")
    return f"sqlite:///{tmp_path / 'warroom.db'}"


def names(uow: UnitOfWork) -> set[str]:
    return {c.name for c in uow.session.exec(select(Counter)).all()}


def add(name: str) -> Callable[[UnitOfWork], None]:
    def work(uow: UnitOfWork) -> None:
        uow.session.add(Counter(name=name, value=1))

    return work


def test_a_read_held_open_does_not_hold_up_the_writer(url: str) -> None:
    store = Store(url)
    reader = store.reader()
    reading, wrote = threading.Event(), threading.Event()
    seen: list[set[str]] = []

    def long_read(uow: UnitOfWork) -> None:
        seen.append(names(uow))
        reading.set()
        assert wrote.wait(5), "the writer waited for the read to end"
        seen.append(names(uow))

    try:
        thread = threading.Thread(target=reader.transaction_sync, args=(long_read,))
        thread.start()
        assert reading.wait(5)
        store.transaction_sync(add("meanwhile"), deadline=None)
        wrote.set()
        thread.join(5)
        assert seen[0] == seen[1] and "meanwhile" not in seen[1], "a snapshot"
        assert "meanwhile" in reader.transaction_sync(names)
    finally:
        reader.close()
        store.close()


def test_a_reader_cannot_write(url: str) -> None:
    store = Store(url)
    reader = store.reader()
    try:
        assert reader is not store
        with pytest.raises(OperationalError, match="readonly"):
            reader.transaction_sync(add("never"))
        assert "never" not in store.transaction_sync(names)
    finally:
        reader.close()
        store.close()


def test_an_in_memory_store_reads_through_itself() -> None:
    store = Store("sqlite://")
    assert store.reader() is store
    store.close()


def test_a_command_that_only_reads_never_holds_up_the_bot(url: str) -> None:
    """`report`, `export` and `audit verify` read beside a running bot: a long read of
    theirs leaves its writes free; an intel export, which records itself, may write."""
    bot, command = Store(url), read_only_store(url)
    recording = recording_store(url)
    held, wrote = threading.Event(), threading.Event()

    def long_read(uow: UnitOfWork) -> None:
        names(uow)
        held.set()
        assert wrote.wait(5), "the bot's write waited for the command's read"

    try:
        thread = threading.Thread(target=command.transaction_sync, args=(long_read,))
        thread.start()
        assert held.wait(5)
        bot.transaction_sync(add("while reporting"))
        wrote.set()
        thread.join(5)
        with pytest.raises(OperationalError, match="readonly"):
            command.transaction_sync(add("never"))
        recording.transaction_sync(add("recorded"))
        assert {"while reporting", "recorded"} <= bot.transaction_sync(names)
    finally:
        for store in (bot, command, recording):
            store.close()
