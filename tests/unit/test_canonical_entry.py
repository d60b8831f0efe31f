"""`audit verify` builds each entry's canonical text its own faster way: on any values, exactly
the reference (`canonical_of(fields_of(...))`, and the time as SQLAlchemy reads it back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from warroom.storage.chain import canonical_of, canonical_of_values, canonical_time, fields_of
from warroom.storage.chain_rows import _time_of
from warroom.storage.models import TimelineEntry

words = st.text()
actors = st.tuples(words, words, words, words)
times = st.datetimes(timezones=st.just(UTC))
versions = st.sampled_from([1, 2])
phrases = st.one_of(st.just(""), words, st.just('{"id": "Incident opened", "args": {}}'))

_DIALECT = sqlite.dialect()
_AT_TYPE = TimelineEntry.__table__.c.at.type.dialect_impl(_DIALECT)  # type: ignore[attr-defined]
_STORE: Callable[[datetime], str] = _AT_TYPE.bind_processor(_DIALECT)
_READ: Callable[[Any], datetime] = _AT_TYPE.result_processor(_DIALECT, None)


@given(
    key=words,
    seq=st.integers(min_value=0),
    at=times,
    kind=words,
    actor=actors,
    org=words,
    text=words,
    tlp=words,
    source=words,
    phrase=phrases,
    version=versions,
)
def test_an_entry_is_written_as_the_reference_writes_it(
    key: str,
    seq: int,
    at: datetime,
    kind: str,
    actor: tuple[str, str, str, str],
    org: str,
    text: str,
    tlp: str,
    source: str,
    phrase: str,
    version: int,
) -> None:
    reference = canonical_of(
        fields_of(key, seq, at, kind, actor, org, text, tlp, source, phrase, version)
    )
    moment = canonical_time(at)
    fast = canonical_of_values(
        key, seq, moment, kind, actor, org, text, tlp, source, phrase, version
    )
    assert fast == reference


odd = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words)


@given(seq=odd, kind=odd, org=odd, text=odd, phrase=odd, version=odd)
def test_a_tampered_row_of_other_types_is_written_as_the_reference_writes_it(
    seq: Any, kind: Any, org: Any, text: Any, phrase: Any, version: Any
) -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    actor = ("console", "local", "alice", "Alice")
    values = ("INC-1", seq, at, kind, actor, org, text, "AMBER", "e1", phrase, version)
    try:
        reference: str | type[Exception] = canonical_of(fields_of(*values))
    except TypeError:
        reference = TypeError
    try:
        fast: str | type[Exception] = canonical_of_values(
            "INC-1", seq, canonical_time(at), *values[3:]
        )
    except TypeError:
        fast = TypeError
    assert fast == reference


@given(at=times)
def test_a_stored_time_reads_as_sqlalchemy_reads_it(at: datetime) -> None:
    stored = _STORE(at)
    assert _time_of(stored, _READ) == canonical_time(_READ(stored))


stored_like = st.one_of(
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}", fullmatch=True
    ),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.,+Z-]{0,24}", fullmatch=True),
    st.text(max_size=40),
)


@given(stored=stored_like)
def test_an_odd_stored_time_reads_or_fails_as_sqlalchemy_would(stored: str) -> None:
    def outcome(read: Callable[[], str]) -> str | type[Exception]:
        try:
            return read()
        except ValueError:
            return ValueError

    reference = outcome(lambda: canonical_time(_READ(stored)))
    assert outcome(lambda: _time_of(stored, _READ)) == reference
