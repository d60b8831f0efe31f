from __future__ import annotations

from datetime import timedelta

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
