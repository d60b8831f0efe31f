"""The STIX export writes timestamps and patterns itself (stix2 objects for 10,000
indicators take seconds): on any time and any value, exactly what stix2 writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import stix2.v21
from hypothesis import given
from hypothesis import strategies as st
from stix2.patterns import (
    EqualityComparisonExpression,
    ObjectPath,
    ObservationExpression,
    StringConstant,
)
from stix2.utils import format_datetime

from warroom.bot.domain.observables import ObservableType
from warroom.bot.operations.stix_export import _PATHS, _timestamp, pattern

zones = st.one_of(
    st.none(),
    st.just(UTC),
    st.integers(-12, 14).map(lambda h: timezone(timedelta(hours=h))),
)
times = st.datetimes(timezones=zones)


@given(at=times)
def test_a_time_is_written_as_stix2_writes_it(at: datetime) -> None:
    created = stix2.v21.Indicator._properties["created"].clean(at)[0]
    valid_from = stix2.v21.Indicator._properties["valid_from"].clean(at)[0]
    assert _timestamp(at) == format_datetime(created)
    assert _timestamp(at, milliseconds=False) == format_datetime(valid_from)


@given(kind=st.sampled_from(sorted(_PATHS)), value=st.text(max_size=40))
def test_a_pattern_is_written_as_stix2_writes_it(kind: ObservableType, value: str) -> None:
    sco, path = _PATHS[kind]
    expected = ObservationExpression(
        EqualityComparisonExpression(ObjectPath(sco, path), StringConstant(value))
    )
    assert pattern(kind, value) == str(expected)
