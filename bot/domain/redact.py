"""Secrets out of relayed copies: detect-secrets' detectors, plus the shapes it misses in chat
(`password: "two words"`, `Bearer <token>`, `admin/S3cret!`, `user:pass@host`, key blocks)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache, lru_cache
from types import ModuleType

from warroom.bot.domain.secret_hints import may_hold_secret

REDACTED = "[redacted]"
_ENTROPY_LIMIT = 4.5
_ENTROPY_MIN_LENGTH = 20
_MOST_DISTINCT_BELOW_LIMIT = math.ceil(2**_ENTROPY_LIMIT) - 1  # 22: log2(22) < 4.5
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
_NAME = (
    r"pass(?:word|wd|phrase|code)?|pwd|pw|secret|token|api[ _-]?key|apikey"
    r"|(?:access|auth|private|secret)[_-]?key"
)
# In every shape the group `secret` is what goes; the rest of the match stays.
# `db_password: x`, `"api-key": "x"`, `the password is x`, `password='two words'`.
_KEYWORD = re.compile(
    rf"(?i)(?<![a-z0-9])(?:[a-z0-9]+[_-])*(?:{_NAME})[\"']?(?:\s*(?:=>|:=|[:=])\s*|\s+is\s+)"
    r"(?P<q>[\"'])?(?P<secret>(?(q)[^\"'\n]{1,200}|[^\s\"'`,;&]{3,}))(?(q)(?P=q))"
)
# `api key 0123456789abcdef0123`: no separator, so only a value that looks like a key.
_KEYWORD_SPACED = re.compile(
    rf"(?i)(?<![a-z0-9])(?:{_NAME})\s+(?P<secret>(?=[\w./+=-]*\d)[\w./+=-]{{12,}})"
)
# `Authorization: Bearer x`, `Authorization: x`, and `Bearer x`/`Basic x` anywhere.
_AUTH = re.compile(
    r"(?i)(?:\bauthorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?"
    r"|(?P<scheme>(?<![a-z0-9])(?:bearer|basic)\s+))(?P<secret>[\w.~+/=-]{6,})"
)
_URL_CREDENTIALS = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@]*:(?P<secret>[^\s/@]+)(?=@)")
# `root:toor@host`, `curl -u admin:S3cret!`; not `From:alice@example.com`.
_PAIR_AT = re.compile(
    r"(?<![\w.@/:%-])(?P<user>[\w.-]{1,64}):(?P<secret>[^\s:/@]{1,128})(?=@[\w\[])"
)
_CURL_USER = re.compile(r"(?<!\S)(?:-u|--user)[ =][\"']?[^\s:]+:(?P<secret>[^\s\"']+)")
_PAIR_SLASH = re.compile(
    r"(?<![\w/.:\\\[\]-])(?P<user>[A-Za-z][\w-]{0,31})/(?P<secret>[^\s/]{3,64})(?![\w/])"
)
_SHAPES = (_URL_CREDENTIALS, _CURL_USER, _PAIR_AT, _AUTH, _KEYWORD, _KEYWORD_SPACED, _PAIR_SLASH)
_NAME_PARTS = ("pass", "pw", "secret", "token", "key")  # every name `_NAME` allows has one


def _may_match(shape: re.Pattern[str], text: str, lowered: str | None) -> bool:
    """False when `shape` cannot match `text`: it lacks a literal every match holds. Most
    chat lacks them all, and a failing search still walks the whole text. `lowered` is the
    text lowered when it is ASCII (where ignoring case is lowering), else None."""
    if shape is _URL_CREDENTIALS:
        return "://" in text and "@" in text
    if shape is _CURL_USER:
        return "-u" in text
    if shape is _PAIR_AT:
        return ":" in text and "@" in text
    if shape is _PAIR_SLASH:
        return "/" in text
    if lowered is None:
        return True
    if shape is _AUTH:
        return "authorization" in lowered or "bearer" in lowered or "basic" in lowered
    return any(part in lowered for part in _NAME_PARTS)  # the keyword shapes


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LABELS = _words(
    "mailto from to cc bcc reply-to sender email e-mail mail smtp sip contact author owner"
    " account login user username"
)
_ACCOUNTS = _words(
    "admin administrator root user guest test sa postgres oracle ubuntu pi support operator"
    " sysadmin ec2-user"
)
# Words after `password is`, `token:`, `root/` that say something about it, not what it is.
_ORDINARY = _ACCOUNTS | _words(
    "pass password passwd pwd pw secret token wrong invalid expired revoked rotated changed"
    " reset required missing empty correct incorrect unknown compromised leaked weak strong"
    " same different still now not the and none null n/a yes no set valid gone here below"
    " above attached group groups users prod production staging dev read write only home"
    " local that this out in on at to also being both very too what safe ok fine known shared"
    " stored kept encrypted hashed public private long short"
)
_SYMBOLS = set("!@#$%^&*+=?~")
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32,}")  # MD5, SHA-1, SHA-256, SHA-512: indicators
_TOKEN = re.compile(r"[^\s\"'`<>()\[\]{},;]+")
# Words the entropy rule leaves alone: URLs (credentials are out already), e-mail addresses,
# host names (random DGA domains among them), file paths, Bitcoin and Monero addresses (ransom
# notes) and subresource-integrity hashes.
_INDICATOR = re.compile(
    r"(?i)[a-z][a-z0-9+.-]*://\S*|[^@\s]+@[\w.-]+|(?:[a-z0-9-]+\.)+[a-z]{2,24}\.?"
    r"|(?:~|\.{1,2})?/\S*|[a-z]:\\\S*|\S*\\\S*|sha(?:256|384|512)-[a-z0-9+/]+=*"
    r"|(?-i:bc1[ac-hj-np-z02-9]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34}"
    r"|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}(?:[1-9A-HJ-NP-Za-km-z]{11})?)"
)


def _below_entropy_limit(token: str) -> bool:
    """Whether `token` cannot pass the entropy limit whatever its order: entropy over k
    distinct characters is at most log2(k), so a hex digest (22 at most) never needs it."""
    return len(set(token)) <= _MOST_DISTINCT_BELOW_LIMIT


def _password_like(value: str) -> bool:
    return (
        any(c.isalpha() for c in value)
        and any(c.isdigit() for c in value)
        and any(c in _SYMBOLS for c in value)
    )


def _keep(match: re.Match[str]) -> bool:
    """Whether a matched shape holds no secret after all."""
    secret, groups = match.group("secret"), match.groupdict()
    if REDACTED in secret:
        return True
    if match.re is _PAIR_SLASH:
        if groups["user"].lower() in _ACCOUNTS:
            return secret.lower().rstrip(".!?,") in _ORDINARY
        return not _password_like(secret)
    if match.re is _PAIR_AT:
        return groups["user"].lower() in _LABELS
    if groups.get("scheme"):
        return not re.search(r"\d|=$", secret)
    unquoted = match.re in (_KEYWORD, _KEYWORD_SPACED) and not groups.get("q")
    return unquoted and secret.lower().rstrip(".!?") in _ORDINARY


def _redactor(counter: list[int]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if _keep(match):
            return match.group(0)
        counter[0] += 1
        start, end = match.span("secret")
        return f"{match.string[match.start() : start]}{REDACTED}{match.string[end : match.end()]}"

    return replace


def _where(values: set[str]) -> re.Pattern[str]:
    """Where detect-secrets' findings occur: anywhere if long, as whole words if short."""
    return re.compile(
        "|".join(
            re.escape(v) if len(v) >= 8 else rf"(?<![\w.-]){re.escape(v)}(?![\w-])"
            for v in sorted(values, key=len, reverse=True)
        )
    )


def _unless_in_indicator(text: str, counter: list[int]) -> Callable[[re.Match[str]], str]:
    """A finding inside a hash or another indicator is part of it (an AWS key id's shape
    turns up in a hex digest), not a secret."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        word = text[start:end]
        if _HEX_DIGEST.fullmatch(word) or _INDICATOR.fullmatch(word):
            return match.group(0)
        counter[0] += 1
        return REDACTED

    return replace


# Views show the same short texts again and again (a checklist re-shows every task's text,
# a card its updates): their redactions are kept, a few megabytes at most.
_KEPT_CHARS = 1_000
_KEPT = 4_096


def redact(text: str) -> tuple[str, int]:
    """The text with every secret replaced by `[redacted]`, and how many were found."""
    if len(text) <= _KEPT_CHARS:
        return _redact_kept(text)
    return _redact(text)


@lru_cache(maxsize=_KEPT)
def _redact_kept(text: str) -> tuple[str, int]:
    return _redact(text)


def _redact(text: str) -> tuple[str, int]:
    counter = [0]
    replace = _redactor(counter)
    text, blocks = _PRIVATE_KEY.subn(REDACTED, text)
    counter[0] += blocks
    lowered = text.lower() if text.isascii() else None
    for shape in _SHAPES:
        if _may_match(shape, text, lowered):
            before, text = text, shape.sub(replace, text)
            if lowered is not None and text != before:
                lowered = text.lower()
    found = detected(text)
    if found:
        text = _where(found).sub(_unless_in_indicator(text, counter), text)
    out = []
    last = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if len(token) < _ENTROPY_MIN_LENGTH or _below_entropy_limit(token):
            continue
        if _INDICATOR.fullmatch(token):
            continue
        if _scanner().entropy(token) > _ENTROPY_LIMIT:
            out.append(text[last : match.start()] + REDACTED)
            last = match.end()
            counter[0] += 1
    out.append(text[last:])
    return "".join(out), counter[0]


def detected(text: str) -> set[str]:
    """What detect-secrets finds in `text`, line by line; a text without a hint of what
    its detectors look for is not scanned (secret_hints.py)."""
    if not may_hold_secret(text):
        return set()
    found = _scanner().findings(text)
    return {value for value in found if len(value) >= 3 and REDACTED not in value}


@cache
def _scanner() -> ModuleType:
    """detect-secrets, imported when a text first needs it: a command that shows no text
    (`report`) does not pay its import, a tenth of a second."""
    from warroom.bot.domain import secret_scan

    return secret_scan


@lru_cache(maxsize=8192)
def redacted(text: str) -> str:
    """`text` with its secrets out; the same text is scanned once (views repeat entries, and
    the search index reads each entry as it is appended, just before its answer shows it)."""
    return redact(text)[0]
