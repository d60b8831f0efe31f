"""The shortcuts extraction takes (a text or word that cannot hold an indicator is skipped; a
bare address, a bare hash and a plain URL are read by a regular expression) never find
other than ioc-finder alone: generated words and texts, defanged ones too, read both ways."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from warroom.bot.operations.intel import find
from warroom.bot.operations.ioc_words import LIBRARY, library_read, read_word

HEX = "0123456789abcdefABCDEF"
TLDS = ["com", "net", "org", "io", "ru", "xyz", "top", "de", "zip", "php", "local", "example"]

octet = st.one_of(st.integers(0, 255).map(str), st.integers(0, 999).map(str), st.just("01"))
ipv4 = st.one_of(
    st.lists(st.integers(0, 255).map(str), min_size=4, max_size=4).map(".".join),
    st.lists(octet, min_size=3, max_size=5).map(".".join),
)
ipv6 = st.sampled_from(["2001:4860:4860::8888", "2606:4700::1111", "fe80::1", "::ffff:8.8.8.8"])
hashes = st.sampled_from([31, 32, 33, 40, 41, 64, 65]).flatmap(
    lambda n: st.text(HEX, min_size=n, max_size=n)
)
label = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
domain = st.tuples(st.lists(label, min_size=1, max_size=3), st.sampled_from(TLDS)).map(
    lambda parts: ".".join([*parts[0], parts[1]])
)
path = st.text("abcdefghijklmnopqrstuvwxyzABC0123456789/._~-%?=&#:,)'", max_size=24)
url = st.tuples(
    st.sampled_from(["http://", "https://", "ftp://", "HTTPS://", ""]),
    st.one_of(domain, ipv4, domain.map(str.upper)),
    st.sampled_from(["", ":8080"]),
    st.one_of(st.just(""), path.map(lambda p: "/" + p)),
).map("".join)
# near the shortcut's shape, to probe its edges
plain_url = st.tuples(
    st.sampled_from(["http://", "https://"]),
    domain,
    st.text("abcxyz09/._~-", max_size=16).map(lambda p: "/" + p if p else ""),
    st.text("abc09_=&-.", max_size=8).map(lambda q: "?" + q if q else ""),
).map("".join)
# a plain URL whose path has files and dots in it: the host-only reading's edges
path_piece = st.one_of(
    st.tuples(
        label,
        st.sampled_from([*TLDS, "php", "pdf", "exe", "ph1", "com-1", "COM", "co", "1", "x_1", ""]),
    ).map(".".join),
    st.text(HEX, min_size=30, max_size=34),
    st.sampled_from(["cve-2021-1234", "1.2.3.4", "v1.2", "a..b", "xn--p1ai", "x.xn--p1ai"]),
    # what ioc-finder's fanging rewrites: a scheme's name, a spelled-out dot or at
    st.sampled_from(["http", "https", "hxxp", "hXXps", "x-dot-y", "aATb", "a-DOT-b", "DOT"]),
    label,
)
dotted_url = st.tuples(
    st.sampled_from(["http://", "https://"]),
    domain,
    st.lists(path_piece, min_size=1, max_size=3).map(lambda ps: "/" + "/".join(ps)),
    st.sampled_from(["", "/", "?id=5", "?a=b&c-d=e_f"]),
).map("".join)
email = st.tuples(st.text("abcxyz0123._+-", min_size=1, max_size=10), domain).map("@".join)
cve = st.tuples(
    st.sampled_from(["CVE", "cve"]), st.integers(1990, 2030), st.integers(1, 10**6)
).map(lambda p: f"{p[0]}-{p[1]}-{p[2]:04d}")
noise = st.text("abcz019.:/@-_[]()", min_size=1, max_size=12)
word = st.one_of(ipv4, ipv6, hashes, domain, url, plain_url, dotted_url, email, cve, noise)


def defanged(text: str) -> st.SearchStrategy[str]:
    """`text` as people write it so that nothing gets clicked, or as it is."""
    return st.sampled_from(
        [
            text,
            text.replace(".", "[.]"),
            text.replace(".", "(dot)"),
            text.replace("http", "hxxp"),
            text.replace("://", "[://]"),
            text.replace("@", "[@]"),
        ]
    )


fillers = st.sampled_from(["seen", "beacon to", "and", "(", ")", ",", "v", "version", "TLP:RED"])
text = st.lists(st.one_of(word.flatmap(defanged), fillers), min_size=1, max_size=8).flatmap(
    lambda words: st.sampled_from([" ", ", ", "\n", " ("]).map(lambda sep: sep.join(words))
)


@settings(max_examples=400, deadline=None)
@given(word=word)
@example(word="https://evil-5.com/gate.php?id=5")
@example(word="45.77.12.9")
@example(word="44d88612fea8a8f36de82e1278abb02f")
@example(word=".@0-.com")  # a hyphen before the dot: the pre-filter once skipped it
@example(word="::")  # an IPv6 address with nothing before its colons
@example(word="::1")
def test_a_word_reads_as_ioc_finder_alone_reads_it(word: str) -> None:
    assert read_word(word) == library_read(word)


@settings(max_examples=400, deadline=None)
@given(word=dotted_url)
@example(word="https://evil-5.com/payload.php")
@example(word="https://evil-5.com/a.zip")
@example(word="https://evil-5.com/x.co.php")
@example(word="https://evil-5.com/dl/1.2.3.4")
@example(word="http://0.com/http/0.com")  # ioc-finder fangs `/http/` into `/http:/`
@example(word="http://a.com/hxxpa")
@example(word="http://a-dot-b.com/x")
def test_a_plain_url_with_a_path_reads_as_ioc_finder_alone_reads_it(word: str) -> None:
    assert read_word(word) == library_read(word)


@settings(max_examples=300, deadline=None)
@given(text=text)
@example(text="blocked 45.77.1.9 after hxxps://evil-1[.]com/payload.php dropped " + "a" * 32)
def test_no_shortcut_drops_an_indicator_ioc_finder_finds(text: str) -> None:
    assert find(text) == find(text, reader=LIBRARY)


def test_text_without_any_mark_of_an_indicator_is_not_read() -> None:
    assert find("step 5 done, all good") == []
    assert read_word("hello") == ()
