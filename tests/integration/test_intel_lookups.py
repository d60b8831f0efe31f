"""What extraction asks of the observables it stores seeks in an index (SQLite's own query
plan says so): a batch costs what its values and entries do, not what the incident and the
archive hold."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tests.fakes.bot import TestBot

TABLES = ("observable", "observablesighting")


async def test_a_batch_seeks_its_values_and_entries_never_scans(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "warroom.db"
    shutil.copyfile(sqlite_template, path)
    bot = TestBot(f"sqlite:///{path}")
    try:
        first = await bot.open('open "Phishing"')  # observables in two incidents
        second = await bot.open('open "Botnet"')
        await bot.send("note 45.77.12.9 and evil-corp.com", room=first)
        engine = bot.app.store.engine
        asked: list[tuple[str, Any]] = []

        def keep(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
            reads = statement.lstrip().upper().startswith("SELECT")
            if reads and any(f"FROM {table}" in statement for table in TABLES):
                asked.append((statement, params))

        event.listen(engine, "before_cursor_execute", keep)
        await bot.send("note 45.77.12.9 again, and 185.220.1.7", room=second)
        event.remove(engine, "before_cursor_execute", keep)
        assert asked, "extraction read nothing of the observables"
        with engine.connect() as connection:
            for statement, params in asked:
                explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                plan = [row[3] for row in explained]
                for step in plan:
                    assert not step.startswith("SCAN"), (statement, plan)
                    if "value IN" in statement or "seq IN" in statement:
                        # a seek by the incident alone reads all of the incident's rows
                        assert not step.endswith("(incident_id=?)"), (statement, plan)
    finally:
        await bot.close()
