"""Secrets as people paste them in chat go from relayed copies; indicators of compromise stay."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from warroom.bot.domain import redact as redact_module
from warroom.bot.domain.redact import (
    _ENTROPY_LIMIT,
    REDACTED,
    _below_entropy_limit,
    _redact,
    redact,
)
from warroom.bot.domain.secret_scan import entropy

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MONERO = (
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3Xjrp"
    "DtQGv7SY3V4WLZtjBnNf6Go6HqvhYfMkAiXF2XyaQkd"
)
ENCODED = "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('the password: "correct horse battery staple" works', "correct horse battery staple"),
        ("try password='two words' first", "two words"),
        ('config "password": "s3cr3t!" here', "s3cr3t!"),
        ("the password is hunter2 sadly", "hunter2"),
        ("their pw: hunter2 sadly", "hunter2"),
        ("their pass: hunter22 sadly", "hunter22"),
        ("set db_password=Winter2024 there", "Winter2024"),
        ("the secret: 9f8e7d6c5b4a sadly", "9f8e7d6c5b4a"),
        ("send Authorization: Bearer 0123456789abcdef0123456789abcdef please", "0123456789abcdef"),
        ("send Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln please", "eyJ"),
        ("send Authorization: Basic YWRtaW46cGFzc3dvcmQ= please", "YWRtaW46cGFzc3dvcmQ="),
        ("send authorization: token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 ok", "ghp_"),
        ("use Bearer abc123def456ghi next", "abc123def456ghi"),
        ("the api key 0123456789abcdef0123 leaked", "0123456789abcdef0123"),
        ("the apikey=0123456789abcdef0123 leaked", "0123456789abcdef0123"),
        ("the api-key: 0123456789abcdef0123 leaked", "0123456789abcdef0123"),
        ("the api_key = 0123456789abcdef0123 leaked", "0123456789abcdef0123"),
        ("header x-api-key: abcdef123456 leaked", "abcdef123456"),
        ("GET /v1?access_token=abcdEFGH1234&page=2 seen", "abcdEFGH1234"),
        ("login admin/Sup3rS3cret! on the box", "Sup3rS3cret!"),
        ("login root/toor on the box", "toor"),
        ("they used svc_backup/Backup#2024 there", "Backup#2024"),
        ("then ssh root:toor@10.0.0.5 worked", "toor"),
        ("ran curl -u admin:Sup3rS3cret! http://10.0.0.5/ there", "Sup3rS3cret!"),
        ("leaked key AKIAIOSFODNN7EXAMPLE today", "AKIAIOSFODNN7EXAMPLE"),
        ("bot token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx here", "xoxb-"),
        ("random 9aZ3kP0qLm7XvB2nR5tY8wE1sD4fG6hJ string", "9aZ3kP0qLm7XvB2nR5tY8wE1sD4fG6hJ"),
    ],
)
def test_a_secret_goes_and_the_words_around_it_stay(text: str, secret: str) -> None:
    clean, count = redact(text)
    assert secret not in clean
    assert REDACTED in clean and count >= 1
    first, last = text.split()[0], text.split()[-1]
    assert clean.startswith(first) and clean.endswith(last)


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("https://user:pass@host.example/x", f"https://user:{REDACTED}@host.example/x"),
        ("ftp://root:toor@198.51.100.7/pub", f"ftp://root:{REDACTED}@198.51.100.7/pub"),
        ("redis://:hunter2@cache.internal:6379", f"redis://:{REDACTED}@cache.internal:6379"),
        ("ssh root:toor@10.0.0.5", f"ssh root:{REDACTED}@10.0.0.5"),
        ("admin/Sup3rS3cret!", f"admin/{REDACTED}"),
        ("https://x.example/?k=AKIAIOSFODNN7EXAMPLE&y=1", f"https://x.example/?k={REDACTED}&y=1"),
        ("passcode: 4242", f"passcode: {REDACTED}"),
        ("Authorization: Bearer abc.def-123", f"Authorization: Bearer {REDACTED}"),
    ],
)
def test_what_stays_of_a_credential(text: str, clean: str) -> None:
    assert redact(text) == (clean, 1)


def test_each_secret_is_counted() -> None:
    text = "key AKIAIOSFODNN7EXAMPLE, password: hunter22, https://u:p4ss@h.example/ and pw: x1y2"
    clean, count = redact(text)
    assert count == 4 and clean.count(REDACTED) == 4
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"
    assert redact(f"oops {key} sorry") == (f"oops {REDACTED} sorry", 1)


@pytest.mark.parametrize(
    "text",
    [
        "block 198.51.100.7 and 8.8.8.8 at the edge",
        "IPv6 2001:db8:85a3::8a2e:370:7334 and [2001:db8::1]:8443",
        "the C2 is login.micros0ft-support.com and xjw9k2lq8v7mzr4t1yb3nc6q0.com",
        "onion vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion",
        "see https://pastebin.com/raw/aB3dE5fG7hJ9kL1mN3pQ for the dump",
        "https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit",
        "payload at https://evil.example/download/payload.exe?id=8f3Kq2ZpLx9&v=2",
        "defanged hxxps://evil[.]example[.]com/gate.php?id=1234&k=x!1",
        "bucket s3://company-logs/2024/03/14/cloudtrail.json.gz",
        f"sha256 {SHA256}",
        f"sha256:{SHA256}",
        f"SHA256 {SHA256.upper()}",
        f"sha512 {SHA256}{SHA256}",
        "md5 d41d8cd98f00b204e9800998ecf8427e",
        "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "ssdeep 3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
        "integrity sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "CVE-2024-3094 in xz, also CVE-2021-44228",
        "ATT&CK T1059.001 and T1566",
        "phish from evil@phish.example.com, From:evil@phish.example.com",
        "mailto:soc@example.org",
        "@alice:example.org said so",
        "ransom to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        f"or {MONERO}",
        "eth 0x742d35Cc6634C0532925a3b844Bc454e4438f44e",
        r"dropped C:\Users\Public\Downloads\invoice_2024_final.pdf.exe",
        r"persistence in HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run",
        "read /var/lib/docker/overlay2/abc/merged/etc/passwd and ~/.ssh/authorized_keys",
        "changed src/bot/domain/tlp.py and node_modules/@babel/core/lib/index.js",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "the password is wrong, the token expired, reset the password now",
        "password policy: 12 chars; secret santa; token ring",
        "client/server, read/write, TCP/IP, and/or, user/group, root/admin, linux/amd64",
        "the bearer of bad news; basic auth is off",
        "we rotated the password for svc-backup; tokens revoked; api key rotation on Friday",
        f"powershell -enc {ENCODED}",
        "TLP:AMBER+STRICT the attacker is in our HR system",
    ],
)
def test_an_indicator_passes_untouched(text: str) -> None:
    assert redact(text) == (text, 0)


hexes = st.sampled_from([32, 40, 64, 128]).flatmap(
    lambda n: st.text("0123456789abcdef", min_size=n, max_size=n)
)


@given(hexes, st.booleans())
def test_no_hex_hash_is_taken_for_a_secret(digest: str, upper: bool) -> None:
    digest = digest.upper() if upper else digest
    text = f"the dropper {digest} was seen"
    assert redact(text) == (text, 0)


@given(st.ip_addresses(v=4).filter(lambda ip: ip.is_global), st.ip_addresses(v=6))
def test_no_address_is_taken_for_a_secret(v4: object, v6: object) -> None:
    text = f"connections from {v4} and {v6} to 8.8.8.8"
    assert redact(text) == (text, 0)


def test_an_access_key_shape_inside_a_digest_is_part_of_the_digest() -> None:
    text = "the dropper 000000000ACCA0000000000000000000 was seen"
    assert redact(text) == (text, 0)
    assert redact("key AKIAIOSFODNN7EXAMPLE here") == ("key [redacted] here", 1)


@given(st.text(st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=20))
def test_a_word_skipped_before_its_entropy_is_measured_is_never_above_the_limit(
    word: str,
) -> None:
    if _below_entropy_limit(word):
        assert entropy(word) <= _ENTROPY_LIMIT


_PASTED = st.lists(
    st.sampled_from(
        [
            "password", "PassWord", "pw", "api key", "Token", "SECRET", "db_key", " is ", ": ",
            "=", "Authorization: ", "BEARER ", "basic ", "-u ", "--user=", "admin:", "root/",
            "https://", "@host", "user:", "S3cret!x", "abc123def", "0123456789abcdefXYZ", "'",
            '"', " ", "ſecret", "ü",
        ]
    ),
    max_size=8,
).map("".join)  # fmt: skip


@given(_PASTED)
@example("their pw: hunter2 sadly")
@example("use Basic YWRtaW46cGFzc3dvcmQ= then")
@example("curl -u admin:S3cret! https://x")
@example("ssh root:toor@db01")
@example("https://user:pass@host.example/x")
@example("login admin/S3cret!x")
@settings(max_examples=1000)
def test_a_shape_skipped_for_a_missing_literal_would_have_matched_nothing(text: str) -> None:
    with mock.patch.object(redact_module, "_may_match", lambda *_: True):
        every_shape = _redact(text)
    assert _redact(text) == every_shape
