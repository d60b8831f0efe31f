"""What extraction finds in what people say, and what a typed indicator is."""

from __future__ import annotations

import pytest

from warroom.bot.domain.observables import (
    ObservableError,
    ObservableType,
    Pap,
    detect,
    normalised,
    not_an_indicator,
    refang,
)
from warroom.bot.operations.intel import find

OWN = frozenset({"acme.com"})

# text said in the war room -> the (type, value) pairs kept, in their stored form
CASES = [
    # true positives, each type
    ("we block 45.77.12.9 now", [("ipv4", "45.77.12.9")]),
    ("from 2606:4700:4700::1111 too", [("ipv6", "2606:4700:4700::1111")]),
    ("C2 at evil-corp.com", [("domain", "evil-corp.com")]),
    (
        "phish from bad@evil-corp.com",
        [("domain", "evil-corp.com"), ("email", "bad@evil-corp.com")],
    ),
    ("md5 44d88612fea8a8f36de82e1278abb02f", [("md5", "44d88612fea8a8f36de82e1278abb02f")]),
    (
        "sha1 DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
        [("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709")],
    ),
    (
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        [("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")],
    ),
    ("patch cve-2021-44228 first", [("cve", "CVE-2021-44228")]),
    # defanged forms are refanged
    (
        "payload at hxxps://evil[.]com/x.php",
        [("domain", "evil.com"), ("url", "https://evil.com/x.php")],
    ),
    ("beacon to 1.2.3[.]4 and evil(dot)org", [("ipv4", "1.2.3.4"), ("domain", "evil.org")]),
    ("reply to x[@]evil-corp[.]com", [("domain", "evil-corp.com"), ("email", "x@evil-corp.com")]),
    # a hash inside a URL is a hash too
    (
        "see https://evil.com/d41d8cd98f00b204e9800998ecf8427e.exe",
        [
            ("domain", "evil.com"),
            ("url", "https://evil.com/d41d8cd98f00b204e9800998ecf8427e.exe"),
            ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ],
    ),
    # punycode and Unicode names, stored as punycode
    ("lookalike xn--80ak6aa92e.com", [("domain", "xn--80ak6aa92e.com")]),
    ("lookalike bücher.de", [("domain", "xn--bcher-kva.de")]),
    # false positives: not indicators
    ("private 10.0.0.1 192.168.1.1 172.16.0.1 loopback 127.0.0.1 ::1", []),
    ("shared 100.64.0.1, link-local 169.254.1.1 and fe80::1", []),
    ("documentation 192.0.2.7 198.51.100.7 203.0.113.9 2001:db8::1", []),
    ("names for docs: example.com, test.example, foo.test", []),
    ("our own www.acme.com and mail.acme.com", []),
    ("version 10.2.0.1, v1.2.3.4 and build 5.6.7.8", []),
    ("at 12:30 on 1.2.2026, rotated the key.", []),
    ("see readme.md and setup.py", []),
    ("plain words only", []),
    # a secret is no indicator, even when it reads as one
    ("Authorization: Bearer 0123456789abcdef0123456789abcdef", []),
    (
        "phish at https://evil.com/a?token=abcdef1234567890abcdef",
        [("domain", "evil.com"), ("url", "https://evil.com/a?token=REDACTED")],
    ),
    # but a version word elsewhere does not hide an address
    ("version 2 of the dropper calls 45.77.12.9", [("ipv4", "45.77.12.9")]),
    ("acme.com.evil.net is not ours", [("domain", "acme.com.evil.net")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_extraction_finds_exactly_the_indicators(
    text: str, expected: list[tuple[str, str]]
) -> None:
    found = [(f.type.value, f.value) for f in find(text, OWN)]
    assert sorted(found) == sorted(expected)


def test_refang_undoes_the_usual_defanging_only() -> None:
    assert refang("hxxp://evil[.]example/a") == "http://evil.example/a"
    assert refang("HXXPS://x[.]y") == "https://x.y"
    assert refang("meow://x[:]8080") == "http://x:8080"
    assert refang("a[@]b(dot)c") == "a@b.c"
    assert refang("a list [1] and (x)") == "a list [1] and (x)"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("45.77.12.9", ObservableType.IPV4),
        ("2606:4700::1111", ObservableType.IPV6),
        ("evil[.]com", ObservableType.DOMAIN),
        ("hxxp://evil.com/a", ObservableType.URL),
        ("a@evil.com", ObservableType.EMAIL),
        ("44d88612fea8a8f36de82e1278abb02f", ObservableType.MD5),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", ObservableType.SHA1),
        (
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ObservableType.SHA256,
        ),
        ("CVE-2024-3094", ObservableType.CVE),
    ],
)
def test_a_typed_value_gets_its_type(raw: str, kind: ObservableType) -> None:
    assert detect(raw) is kind
    normalised(kind, raw)  # and is valid as it


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (ObservableType.IPV4, "300.1.2.3"),
        (ObservableType.IPV4, "2606:4700::1111"),
        (ObservableType.IPV6, "1.2.3.4"),
        (ObservableType.DOMAIN, "not a domain"),
        (ObservableType.DOMAIN, "-bad-.com"),
        (ObservableType.URL, "javascript:alert(1)"),
        (ObservableType.EMAIL, "no-at-sign.com"),
        (ObservableType.MD5, "44d88612fea8a8f36de82e1278abb02"),
        (ObservableType.SHA256, "z" * 64),
        (ObservableType.CVE, "CVE-21-1"),
    ],
)
def test_an_invalid_value_of_its_type_is_refused_with_a_reason(
    kind: ObservableType, raw: str
) -> None:
    with pytest.raises(ObservableError) as raised:
        normalised(kind, raw)
    assert raw[:10] in str(raised.value)


def test_types_and_pap_levels_parse_or_say_what_is_allowed() -> None:
    assert ObservableType.parse("IP") is ObservableType.IPV4
    assert ObservableType.parse("SHA-256") is ObservableType.SHA256
    with pytest.raises(ObservableError, match="ipv4, ipv6"):
        ObservableType.parse("hostname-ish")
    assert Pap.parse("pap:red") is Pap.RED
    with pytest.raises(ObservableError, match="clear, green, amber or red"):
        Pap.parse("purple")


def test_own_domains_and_their_subdomains_are_not_indicators() -> None:
    assert not_an_indicator(ObservableType.DOMAIN, "vpn.acme.com", OWN) is not None
    assert not_an_indicator(ObservableType.EMAIL, "ceo@acme.com", OWN) is not None
    assert not_an_indicator(ObservableType.URL, "https://acme.com/login", OWN) is not None
    assert not_an_indicator(ObservableType.URL, "http://10.1.1.1/x", OWN) is not None
    assert not_an_indicator(ObservableType.DOMAIN, "notacme.com", OWN) is None
