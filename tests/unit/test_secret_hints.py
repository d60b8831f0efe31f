"""The cheap look before detect-secrets never skips a text detect-secrets finds a secret in."""

from __future__ import annotations

import re

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.bot.domain.redact import redact
from warroom.bot.domain.secret_hints import _HINTS, may_hold_secret
from warroom.bot.domain.secret_scan import configure_detectors, detector_settings

_RUN = {plugin["name"] for plugin in detector_settings()["plugins_used"]}
_PATTERNS = [
    pattern
    for cls in get_mapping_from_secret_type_to_class().values()
    if cls.__name__ in _RUN
    for pattern in getattr(cls, "denylist", ())
    if isinstance(pattern, re.Pattern)
]
_KEYWORDS = [
    "api_key", "apikey", "auth_key", "service_key", "account_key", "db_key", "database_key",
    "priv_key", "private_key", "client_key", "db_pass", "database_pass", "key_pass",
    "password", "passwd", "pwd", "secret", "contraseña", "contrasena", "aws_secret_key",
    "cloudant_password", "ibm_cloud_iam_api_key", "softlayer_api_key", "token", "pw",
]  # fmt: skip
_SEPARATORS = ["=", ": ", " = ", ":=", "=>", " is ", '="', "='", '": "', "':'", ' == "', "("]
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_CHAT = st.text(alphabet=st.sampled_from(_LETTERS + " -_.:/@'\"=,"), max_size=40)


def _scanned(text: str) -> set[str]:
    """What detect-secrets itself finds, asked directly (no look first)."""
    configure_detectors()
    return {
        found.secret_value
        for line in text.splitlines()
        for found in scan_line(line)
        if found.secret_value
    }


def _cased(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.title(), word.replace("_", "-")])


_ASSIGNMENT = st.tuples(
    _CHAT,
    st.sampled_from(_KEYWORDS).flatmap(_cased),
    st.sampled_from(_SEPARATORS),
    st.from_regex(r"[A-Za-z0-9+/=_.-]{3,70}", fullmatch=True),
    st.sampled_from(["", '"', "'", ")", " ok"]),
).map("".join)
_SHAPED = st.tuples(_CHAT, st.sampled_from(_PATTERNS).flatmap(st.from_regex), _CHAT).map(
    lambda parts: " ".join(parts)
)


_URL = st.tuples(
    st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", "hxxp://"]),
    st.one_of(
        st.just(""),
        st.from_regex(r"[\w.~!$&'()*+,;=-]{1,20}:[\w.~!$&'()*+,;=%-]{1,70}@", fullmatch=True),
    ),
    st.one_of(
        st.sampled_from(
            ["hooks.slack.com", "api.softlayer.com", "acme.cloudant.com", "evil-7.com"]
        ),
        st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,12}){1,3}", fullmatch=True),
    ),
    st.one_of(
        st.just(""),
        st.sampled_from(["/services/T0A1B2/B3C4D5/abcDEF123", "/soap/v3/" + "a1" * 32]),
        st.from_regex(r"(/[\w.~%-]{0,16}){1,3}(\?[\w=&%-]{0,30})?", fullmatch=True),
    ),
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(_CHAT, _URL, _CHAT).map(" ".join))
def test_a_url_detect_secrets_finds_something_in_is_never_skipped(text: str) -> None:
    assert may_hold_secret(text) or not _scanned(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_SHAPED, _ASSIGNMENT, _CHAT), min_size=1, max_size=4).map(" ".join))
def test_a_text_detect_secrets_finds_something_in_is_never_skipped(text: str) -> None:
    assert may_hold_secret(text) or not _scanned(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PATTERNS).flatmap(st.from_regex))
def test_every_detector_pattern_passes_the_look(text: str) -> None:
    assert may_hold_secret(text) or not _scanned(text)


@pytest.mark.parametrize(
    "text",
    [
        "key AKIAIOSFODNN7EXAMPLE here",
        "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "see https://admin:hunter2x@db.example.org/",
        "https://hooks.slack.com/services/T0A1B2C3/B4D5E6F7/aBcDeF0123456789",
        "https://acme:" + "0a" * 32 + "@acme.cloudant.com",
        "-----BEGIN RSA PRIVATE KEY-----",
        "db_password = 'Winter2024!'",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq",
        "AC0123456789abcdef0123456789abcdef",
    ],
)
def test_known_secrets_are_found_and_pass_the_look(text: str) -> None:
    assert _scanned(text), "detect-secrets should find this (the examples would be vacuous)"
    assert may_hold_secret(text)


@pytest.mark.parametrize(
    "text",
    [
        "step 12",
        "contained the ransomware on host db01",
        "Opened: web outage (SEV2, TLP:AMBER)",
        "seen https://evil-4211.com/gate.php?id=4211",
        "dropped 44d88612fea8a8f36de82e1278abb02f and e99a18c428cb38d5f260853678922e03",
    ],
)
def test_ordinary_chat_is_not_scanned_and_stays_as_it_is(text: str) -> None:
    assert not may_hold_secret(text)
    assert redact(text) == (text, 0)


@given(
    st.text(
        alphabet=st.sampled_from(_LETTERS + " -_.:/@\\ü" + "ſıİK"),
        max_size=60,
    )
    | _ASSIGNMENT
    | _SHAPED
)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_the_split_look_answers_as_the_single_pattern_does(text: str) -> None:
    assert may_hold_secret(text) == (_HINTS.search(text) is not None)
