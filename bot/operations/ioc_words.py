"""How one word of what was said is read for indicators: ioc-finder, asked only for what the
word could hold, except for the commonest shapes (a bare IPv4 address, a bare hash, a plain
http(s) URL), which a regular expression reads as ioc-finder would at a fraction of the
cost (its URL grammar takes milliseconds a word). The tests hold the two readings equal on
generated words and texts, defanged ones too: a shortcut never drops what ioc-finder finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from warroom.bot.domain.observables import ObservableType

Reading = tuple[tuple[ObservableType, str], ...]  # what a word holds, in FOUND_AS order

FOUND_AS = {
    "ipv4s": ObservableType.IPV4,
    "ipv6s": ObservableType.IPV6,
    "domains": ObservableType.DOMAIN,
    "urls": ObservableType.URL,
    "email_addresses": ObservableType.EMAIL,
    "md5s": ObservableType.MD5,
    "sha1s": ObservableType.SHA1,
    "sha256s": ObservableType.SHA256,
    "cves": ObservableType.CVE,
}
_WITHOUT_URLS = [key for key in FOUND_AS if key != "urls"]

# A word with none of these cannot hold an indicator.
MAYBE = re.compile(r"[\w-]\s*(?:[.:@\[(]|\{\.)|::|[0-9a-f]{32}|cve-\d", re.IGNORECASE)

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_BARE_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
_BARE_HASH = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_HASHES = {32: ObservableType.MD5, 40: ObservableType.SHA1, 64: ObservableType.SHA256}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# scheme, lower-case host of plain labels, a path and query of letters, digits and a few
# marks, ending on a letter, a digit or a slash (ioc-finder trims trailing punctuation)
_PLAIN_URL = re.compile(
    rf"https?://(?P<host>(?:{_LABEL}\.)+(?P<tld>[a-z]{{2,63}}))"
    r"(?:/(?:[A-Za-z0-9_~/.-]*[A-Za-z0-9/])?)?"
    r"(?:\?[A-Za-z0-9_=&-]*[A-Za-z0-9])?"
)


@lru_cache(maxsize=65536)
def read_word(word: str) -> Reading:
    """What the word holds, as ioc-finder reads it; once per process for each word (what a
    room says, it says again). `word` is refanged and has no spaces."""
    if not MAYBE.search(word):
        return ()
    if _BARE_IPV4.fullmatch(word):
        return ((ObservableType.IPV4, word),)
    if _BARE_HASH.fullmatch(word):
        return ((_HASHES[len(word)], word.lower()),)
    find_iocs, tlds, fang = _library()
    url = _PLAIN_URL.fullmatch(word)
    # ioc-finder fangs a word before it reads it, and some plain paths look defanged to it
    # (`/http/` becomes `/http:/`, `/hxxpa` `/httpa`): those it reads itself
    if url is not None and url.group("tld") in tlds and fang(word) == word:
        if _holds_only_its_host(word, url, tlds):
            return ((ObservableType.DOMAIN, url.group("host")), (ObservableType.URL, word))
        found = find_iocs(word, included_ioc_types=_WITHOUT_URLS, parse_unicode_iocs=True)
        return _reading({**found, "urls": [word]})
    # the URL grammar, ioc-finder's slowest, only where a URL can be: each has a slash
    types = list(FOUND_AS) if "/" in word else _WITHOUT_URLS
    return _reading(find_iocs(word, included_ioc_types=types, parse_unicode_iocs=True))


# what could make ioc-finder read more than the host in a plain URL: an address (a digit on
# each side of a dot), a hash, a CVE id
_MORE_THAN_A_HOST = re.compile(r"\d\.\d|[0-9a-f]{32}|cve", re.IGNORECASE)
_AFTER_A_DOT = re.compile(r"\.([A-Za-z0-9_-]*)")
_LETTERS = re.compile(r"[A-Za-z]*")


def _holds_only_its_host(word: str, url: re.Match[str], tlds: frozenset[str]) -> bool:
    """Whether a plain URL holds no indicator but its host: no address, hash or CVE id, and
    no domain in its path (a domain's top-level one follows a dot; ioc-finder reads
    `payload.php` as none, `a.zip` as one). Where in doubt, ioc-finder reads it."""
    if _MORE_THAN_A_HOST.search(word):
        return False
    for piece in _AFTER_A_DOT.findall(word, url.end("host")):
        letters = _LETTERS.match(piece)
        lead = letters.group(0).lower() if letters else ""
        if not lead or lead in tlds or piece.lower() in tlds:
            return False
    return True


def library_read(word: str) -> Reading:
    """ioc-finder alone, every type asked, no shortcut: what `read_word` must agree with."""
    find_iocs = _library()[0]
    return _reading(find_iocs(word, included_ioc_types=list(FOUND_AS), parse_unicode_iocs=True))


@cache
def _library() -> tuple[Callable[..., Any], frozenset[str], Callable[[str], str]]:
    """ioc-finder, its top-level domains and how it fangs a text before reading it, imported
    when first needed: building its grammars takes a second or two, which a process that
    never scans (an export whose timeline was scanned, a report) need not pay."""
    from ioc_finder import find_iocs
    from ioc_finder.ioc_finder import prepare_text
    from ioc_finder.ioc_grammars import TLD_SET

    return find_iocs, TLD_SET, prepare_text


def _reading(found: dict[str, list[str]]) -> Reading:
    return tuple((kind, str(raw)) for key, kind in FOUND_AS.items() for raw in found.get(key, []))


@dataclass(frozen=True)
class Reader:
    """How `intel.find` reads a text: whether it may hold an indicator at all (a cheap look
    before the text is redacted and refanged), and what each of its words holds."""

    may_hold: Callable[[str], bool]
    read: Callable[[str], Reading]


SHORTCUTS = Reader(lambda text: MAYBE.search(text) is not None, read_word)
LIBRARY = Reader(lambda text: True, library_read)
