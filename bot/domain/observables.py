"""Observables (indicators) as warroom keeps them: their types, the Permissible Actions
Protocol, refanging, and the rules that say what a value is and whether it is an indicator
at all (private, loopback and documentation-reserved addresses, and the organisations' own
domains, are not)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection
from enum import IntEnum, StrEnum
from urllib.parse import urlsplit

from warroom.bot.domain.language import N_

MAX_VALUE = 2048  # longer values (a URL with a huge query) are not kept

_Check = Callable[[str], str | None]  # a raw value to its stored form, None: not valid


class ObservableType(StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    DOMAIN = "domain"
    URL = "url"
    EMAIL = "email"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    CVE = "cve"

    @classmethod
    def parse(cls, text: str) -> ObservableType:
        name = text.strip().lower().replace("-", "")
        try:
            return cls(_ALIASES.get(name, name))
        except ValueError:
            raise ObservableError(
                N_("unknown type {value!r}: use {types}"), text, ", ".join(TYPE_NAMES)
            ) from None


TYPE_NAMES = tuple(t.value for t in ObservableType)
_ALIASES = {"ip": "ipv4", "ipv4addr": "ipv4", "mail": "email", "hostname": "domain"}


class Status(StrEnum):
    ACTIVE = "active"
    FALSE_POSITIVE = "false-positive"


class Pap(IntEnum):
    """The Permissible Actions Protocol: what the receiver may do with an indicator."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    RED = 3

    @property
    def label(self) -> str:
        return self.name

    @classmethod
    def parse(cls, text: str) -> Pap:
        name = text.strip().upper().removeprefix("PAP:")
        if name == "WHITE":
            name = "CLEAR"
        try:
            return cls[name]
        except KeyError:
            raise ObservableError(
                N_("unknown PAP level {value!r}: use clear, green, amber or red"), text
            ) from None


DEFAULT_PAP = Pap.AMBER  # TheHive's default: active actions only within the receiver's org


class ObservableError(ValueError):
    """Why a value is not an observable; `reason` is a catalog text with `{value}` and,
    where it says so, `{types}`."""

    def __init__(self, reason: str, value: str, types: str = "") -> None:
        super().__init__(reason.format(value=value, types=types))
        self.reason = reason
        self.value = value
        self.types = types


# Defanged forms people write so that nothing gets clicked: hxxp://, evil[.]example,
# 1.2.3[.]4, user[@]evil.example, evil(dot)example.
_DEFANGS = (
    (re.compile(r"\b(h[xX]{2}p|hxxps|meow)(s?)(\[?:\]?)//", re.IGNORECASE), None),
    (re.compile(r"\[\s*\.\s*\]|\(\s*\.\s*\)|\{\s*\.\s*\}|\[dot\]|\(dot\)", re.IGNORECASE), "."),
    (re.compile(r"\[\s*@\s*\]|\[at\]|\(at\)", re.IGNORECASE), "@"),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\[\s*/\s*\]"), "/"),
)


def _scheme(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    secure = "s" if match.group(2) or word == "hxxps" else ""
    return f"http{secure}://"


def refang(text: str) -> str:
    """`hxxp://evil[.]example` -> `http://evil.example`; anything else unchanged."""
    scheme, *rest = _DEFANGS
    text = scheme[0].sub(_scheme, text)
    for pattern, plain in rest:
        assert plain is not None
        text = pattern.sub(plain, text)
    return text


_HEX = re.compile(r"^[0-9a-f]+$")
_HASH_LENGTHS = {32: ObservableType.MD5, 40: ObservableType.SHA1, 64: ObservableType.SHA256}
_CVE = re.compile(r"^CVE-(\d{4})-(\d{4,})$", re.IGNORECASE)
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$", re.IGNORECASE)
# RFC 2606 and RFC 6761: names for documentation and tests, never anyone's infrastructure
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local"})
RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org"})
# `readme.md`, `setup.py`, `run.sh`: file names whose extension is also a country's TLD.
# (.zip and .mov are left: phishing uses those domains.)
FILE_EXTENSIONS = frozenset({"md", "py", "sh", "pl", "rs", "ps"})


def detect(value: str) -> ObservableType:
    """The type of a value typed without `--type`."""
    value = refang(value.strip())
    lowered = value.lower()
    if _CVE.match(value):
        return ObservableType.CVE
    if _HEX.match(lowered) and len(lowered) in _HASH_LENGTHS:
        return _HASH_LENGTHS[len(lowered)]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return ObservableType.IPV4 if address.version == 4 else ObservableType.IPV6
    if "://" in value:
        return ObservableType.URL
    if "@" in value:
        return ObservableType.EMAIL
    if _DOMAIN.match(lowered.rstrip(".")):
        return ObservableType.DOMAIN
    raise ObservableError(
        N_("{value!r} is not an indicator warroom knows ({types})"), value, ", ".join(TYPE_NAMES)
    )


def normalised(kind: ObservableType, value: str) -> str:
    """The value in its one stored form (refanged, lower-case where case means nothing,
    addresses compressed); ObservableError when it is not a valid value of `kind`."""
    value = refang(value.strip())
    if not value or len(value) > MAX_VALUE:
        raise ObservableError(N_("{value!r} is not a valid indicator"), value[:80])
    checker = _CHECKS[kind]
    found = checker(value)
    if found is None:
        raise ObservableError(_INVALID[kind], value)
    return found


def _ip(version: int) -> _Check:
    def check(value: str) -> str | None:
        try:
            address = ipaddress.ip_address(value.strip("[]"))
        except ValueError:
            return None
        return str(address) if address.version == version else None

    return check


def _domain(value: str) -> str | None:
    lowered = value.lower().rstrip(".")
    try:
        lowered = lowered.encode("idna").decode("ascii")  # a Unicode name as its punycode
    except UnicodeError:
        return None
    return lowered if _DOMAIN.match(lowered) else None


def _url(value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "ftp", "sftp") or not parts.hostname:
        return None
    host = parts.hostname
    if _domain(host) is None and _ip(4)(host) is None and _ip(6)(host) is None:
        return None
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def _email(value: str) -> str | None:
    local, at, host = value.rpartition("@")
    if not at or not _LOCAL_PART.match(local) or local.startswith(".") or ".." in local:
        return None
    domain = _domain(host)
    return f"{local.lower()}@{domain}" if domain else None


def _hash(length: int) -> _Check:
    def check(value: str) -> str | None:
        lowered = value.lower()
        return lowered if len(lowered) == length and _HEX.match(lowered) else None

    return check


def _cve(value: str) -> str | None:
    match = _CVE.match(value)
    return f"CVE-{match.group(1)}-{match.group(2)}" if match else None


_CHECKS = {
    ObservableType.IPV4: _ip(4),
    ObservableType.IPV6: _ip(6),
    ObservableType.DOMAIN: _domain,
    ObservableType.URL: _url,
    ObservableType.EMAIL: _email,
    ObservableType.MD5: _hash(32),
    ObservableType.SHA1: _hash(40),
    ObservableType.SHA256: _hash(64),
    ObservableType.CVE: _cve,
}

_INVALID = {
    ObservableType.IPV4: N_("{value!r} is not an IPv4 address"),
    ObservableType.IPV6: N_("{value!r} is not an IPv6 address"),
    ObservableType.DOMAIN: N_("{value!r} is not a domain name"),
    ObservableType.URL: N_("{value!r} is not a URL (http, https or ftp, with a host)"),
    ObservableType.EMAIL: N_("{value!r} is not an e-mail address"),
    ObservableType.MD5: N_("{value!r} is not an MD5 hash (32 hex digits)"),
    ObservableType.SHA1: N_("{value!r} is not a SHA-1 hash (40 hex digits)"),
    ObservableType.SHA256: N_("{value!r} is not a SHA-256 hash (64 hex digits)"),
    ObservableType.CVE: N_("{value!r} is not a CVE id like CVE-2021-44228"),
}


def not_an_indicator(kind: ObservableType, value: str, own_domains: Collection[str]) -> str | None:
    """Why a valid, normalised value is no indicator (a catalog text with `{value}`), or
    None when it is one."""
    if kind in (ObservableType.IPV4, ObservableType.IPV6):
        return N_("{value} is a private or reserved address") if _reserved(value) else None
    host = ""
    if kind is ObservableType.DOMAIN:
        host = value
    elif kind is ObservableType.EMAIL:
        host = value.rpartition("@")[2]
    elif kind is ObservableType.URL:
        host = (urlsplit(value).hostname or "").strip("[]")
        if _ip(4)(host) or _ip(6)(host):
            return (
                N_("{value} points at a private or reserved address") if _reserved(host) else None
            )
    if not host:
        return None
    if _documentation_name(host):
        return N_("{value} is a name reserved for documentation and tests")
    file_like = host.count(".") == 1 and host.rsplit(".", 1)[1] in FILE_EXTENSIONS
    if kind is ObservableType.DOMAIN and file_like:
        return N_("{value} reads as a file name")
    if any(host == own or host.endswith("." + own) for own in own_domains):
        return N_("{value} is one of our own domains ([intel] own_domains)")
    return None


def _reserved(value: str) -> bool:
    address = ipaddress.ip_address(value)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_global is False for private, loopback, link-local, shared (100.64/10), the
    # documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) and
    # every other IANA special-purpose block
    return not address.is_global or address.is_multicast


def _documentation_name(host: str) -> bool:
    tld = host.rsplit(".", 1)[-1]
    return tld in RESERVED_TLDS or any(
        host == name or host.endswith("." + name) for name in RESERVED_DOMAINS
    )


_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bver\.?|\bversion|\brelease|\bbuild|\bfirmware|\bfw)\s*$", re.IGNORECASE
)


def reads_as_version(text: str, value: str) -> bool:
    """`version 10.2.0.1`, `v1.2.3.4`: a dotted number after a word for a version is a
    version, not an address."""
    start = text.find(value)
    while start >= 0:  # str.find, not a pattern per value: each would be compiled anew
        if not _VERSION_BEFORE.search(text[max(0, start - 12) : start]):
            return False
        start = text.find(value, start + 1)
    return True


def own_domains_of(domains: Collection[str]) -> frozenset[str]:
    """The configured own domains in the stored form of a domain."""
    return frozenset(d for d in (_domain(x) for x in domains) if d)
