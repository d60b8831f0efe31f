from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from warroom.bot.config import ConfigError, listen_address, parse_config, parse_duration
from warroom.bot.domain.tlp import Tlp, marking_in


def test_durations() -> None:
    assert parse_duration("45s") == timedelta(seconds=45)
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("1d") == timedelta(days=1)
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_listen_addresses() -> None:
    assert listen_address("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert listen_address("[::1]:9") == ("::1", 9)
    assert listen_address(":8080") == ("0.0.0.0", 8080)
    with pytest.raises(ConfigError, match=r"http\.listen"):
        listen_address("8080")


def test_the_example_config_loads() -> None:
    from pathlib import Path

    from warroom.bot.config import load_config

    config = load_config(Path(__file__).parents[2] / "config.example.toml")
    assert [o.id for o in config.orgs] == ["acme", "cert"]
    assert config.reminders.cadence(1) == timedelta(minutes=30)
    assert config.sharing[0].max_tlp is Tlp.AMBER


SLACK = {"slack": {}}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"storage": {"url": "mysql://x"}}, "storage.url"),
        ({"storage": {"uri": "x"}}, "storage.uri"),
        ({"reminders": {"sev1": "soon"}}, "reminders.sev1"),
        ({"reminders": {"sev1": 30}}, "reminders.sev1"),
        ({"orgs": [{"name": "no id"}]}, "orgs[0].id"),
        ({"orgs": [{"id": "a", "platform": "irc"}]}, "orgs[0].platform"),
        ({"orgs": [{"id": "a", "platform": "matrix"}]}, "orgs[0].workspace"),
        (
            {**SLACK, "orgs": [{"id": "a", "platform": "slack", "workspace": "T1"}]},
            "orgs[0].bot_token_env",
        ),
        (
            {"orgs": [{"id": "a", "platform": "slack", "workspace": "T1", "bot_token_env": "X"}]},
            "orgs[0].platform",
        ),
        ({"orgs": [{"id": "a"}, {"id": "a"}]}, "orgs[1].id"),
        ({"orgs": [{"id": "a"}], "sharing": [{"orgs": ["a", "b"]}]}, "sharing[0].orgs"),
        (
            {
                "orgs": [{"id": "a"}, {"id": "b"}],
                "sharing": [{"orgs": ["a", "b"], "max_tlp": "blue"}],
            },
            "sharing[0].max_tlp",
        ),
        ({"slack": {"mode": "carrier-pigeon"}}, "slack.mode"),
        ({"http": {"listen": "8080"}}, "http.listen"),
        (
            {"orgs": [{"id": "a"}, {"id": "b"}], "sharing": [{"orgs": ["a", "a"]}]},
            "sharing[0].orgs",
        ),
        (
            {
                "orgs": [{"id": "a"}, {"id": "b"}],
                "sharing": [{"orgs": ["a", "b"]}, {"orgs": ["b", "a"], "max_tlp": "green"}],
            },
            "sharing[1].orgs",
        ),
        (
            {
                "matrix": {},
                "orgs": [
                    {"id": "a", "platform": "matrix", "workspace": "x.org"},
                    {"id": "b", "platform": "matrix", "workspace": "x.org"},
                ],
            },
            "orgs[1].workspace",
        ),
        (
            {
                "matrix": {},
                "orgs": [
                    {"id": "a", "platform": "matrix", "workspace": "x.org", "liaison": "carol"}
                ],
            },
            "orgs[0].liaison",
        ),
        ({"frobs": {}}, "frobs"),
    ],
)
def test_a_bad_config_names_the_key_at_fault(raw: dict, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert error.value.key == key
    assert str(error.value).startswith(f"config: {key}: ")


def test_tlp_levels_and_markings() -> None:
    assert Tlp.parse("amber+strict") is Tlp.AMBER_STRICT
    assert Tlp.parse("TLP:WHITE") is Tlp.CLEAR
    assert Tlp.AMBER_STRICT.label == "AMBER+STRICT"
    assert marking_in("share this TLP:GREEN but also TLP:RED bits") is Tlp.RED
    assert marking_in("TLP:AMBER+STRICT only") is Tlp.AMBER_STRICT
    assert marking_in("no marking") is None


def test_agreement_caps_between_orgs() -> None:
    from warroom.bot.config import Config, SharingConfig
    from warroom.bot.domain.sharing import within_cap

    config = Config(sharing=(SharingConfig(orgs=("a", "b"), max_tlp=Tlp.GREEN),))
    assert within_cap(config.sharing, "GREEN", "a", "b") and within_cap(
        config.sharing, "CLEAR", "b", "a"
    )
    assert not within_cap(config.sharing, "AMBER", "a", "b")
    assert not within_cap(config.sharing, "GREEN", "a", "c"), "no agreement, nothing passes"
    assert within_cap(config.sharing, "RED", "a", "a"), "an org shares anything with itself"


@pytest.mark.parametrize("text", ["99999999999d", "３０m", "٣s", "1e3s", "-5m"])
def test_durations_are_ascii_digits_within_range(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    "listen",
    ["256.1.1.1:8080", "127.0.0.1:٨٠", "127.0.0.1:８０", "1.2.3:80", "::1:80", "a b:80", ":70000"],
)
def test_listen_addresses_are_validated_up_front(listen: str) -> None:
    with pytest.raises(ConfigError, match=r"^config: http\.listen: "):
        parse_config({"http": {"listen": listen}})


def test_listen_takes_host_names_and_both_ip_versions() -> None:
    assert listen_address("localhost:80") == ("localhost", 80)
    assert listen_address("[2001:db8::1]:443") == ("2001:db8::1", 443)
    assert listen_address("0.0.0.0:0") == ("0.0.0.0", 0)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("sqlite:///{tmp}/missing/warroom.db", "does not exist"),
        ("sqlite:///{tmp}", "is a folder"),
        ("postgresql+nosuch://u@h/db", "unknown driver 'postgresql+nosuch'"),
        ("sqlite+nosuch:///x.db", "unknown driver"),
    ],
)
def test_store_urls_are_checked_before_anything_connects(
    tmp_path: Path, url: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=r"^config: storage\.url: ") as refused:
        parse_config({"storage": {"url": url.format(tmp=tmp_path)}})
    assert problem in str(refused.value)


def test_in_memory_and_relative_sqlite_urls_are_fine() -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///warroom.db"):
        assert parse_config({"storage": {"url": url}}).storage.url == url


def test_the_message_limit_is_a_positive_whole_number() -> None:
    assert parse_config({}).limits.message_chars == 40_000
    assert parse_config({"limits": {"message_chars": 500}}).limits.message_chars == 500
    for bad in (0, -1, "40000", True, 1.5):
        with pytest.raises(ConfigError, match=r"limits\.message_chars"):
            parse_config({"limits": {"message_chars": bad}})


def test_a_config_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    from warroom.bot.config import load_config

    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[console]\nuser = "J\xfcrgen"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_a_matrix_store_dir_that_cannot_be_created_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warroom.adapters.matrix.factory import settings_from

    monkeypatch.setenv("WARROOM_TEST_MX_TOKEN", "secret")
    blocker = tmp_path / "file"
    blocker.write_text("")
    for store_dir in (str(blocker), str(blocker / "below")):
        config = parse_config(
            {
                "matrix": {
                    "homeserver": "https://hs",
                    "user_id": "@w:hs",
                    "access_token_env": "WARROOM_TEST_MX_TOKEN",
                    "store_dir": store_dir,
                }
            }
        )
        with pytest.raises(ConfigError, match=r"^config: matrix\.store_dir: "):
            settings_from(config)
