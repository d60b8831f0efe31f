"""Configuration: TOML in, validated frozen dataclasses out; secrets only via env var names."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from warroom.bot.domain.goals import Goals, GoalsProblem, parse_goals
from warroom.bot.domain.language import (
    DEFAULT_LOCALE,
    DEFAULT_TIMEZONE,
    Language,
    locale_problem,
    timezone_problem,
)
from warroom.bot.domain.sharing import Agreement
from warroom.bot.domain.tlp import Tlp

SharingConfig = Agreement  # a `[[sharing]]` table is the domain's sharing agreement
CONSOLE_WORKSPACE = "console"  # the console adapter keeps every room in it
PLATFORMS = ("slack", "matrix", "console")
_DURATION = re.compile(r"^\s*([0-9]{1,12})\s*([smhd])\s*$")  # ASCII digits only
_HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62}\.?)*$")
DRIVERS = (
    "sqlite",
    "sqlite+pysqlite",
    "sqlite+aiosqlite",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+asyncpg",
)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ConfigError(Exception):
    """A config value that cannot work; the message names the key at fault."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"config: {key}: {problem}")
        self.key = key


def parse_duration(text: str) -> timedelta:
    """`"45s"`, `"30m"`, `"1h"`, `"1d"` to a timedelta."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration like 45s, 30m, 1h or 1d")
    try:
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:
        raise ValueError(f"{text!r} is longer than any duration can be") from None


@dataclass(frozen=True)
class StorageConfig:
    url: str = "sqlite:///warroom.db"
    auto_upgrade: bool = True


@dataclass(frozen=True)
class RemindersConfig:
    sev1: timedelta = timedelta(minutes=30)
    sev2: timedelta = timedelta(hours=1)
    sev3: timedelta = timedelta(hours=4)
    sev4: timedelta = timedelta(days=1)
    digest_interval: timedelta = timedelta(hours=1)
    misfire_grace: timedelta = timedelta(hours=1)
    leader_retry: timedelta = timedelta(seconds=5)
    plan_poll: timedelta = timedelta(seconds=2)

    def cadence(self, severity: int) -> timedelta:
        return {1: self.sev1, 2: self.sev2, 3: self.sev3, 4: self.sev4}[severity]


@dataclass(frozen=True)
class LimitsConfig:
    message_chars: int = 40_000  # Slack's own limit on a message's text


@dataclass(frozen=True)
class PlaybooksConfig:
    dir: str = ""  # a folder of *.toml playbooks beside the shipped ones; same name wins


@dataclass(frozen=True)
class IntelConfig:
    own_domains: tuple[str, ...] = ()  # never indicators, nor any name under them
    # observables are extracted in a worker process beside the event loop (ioc-finder is
    # pure-Python parsing); false: on the event loop, after the answers
    extract_in_worker: bool = True
    misp_sharing_group: str = ""  # the MISP sharing group AMBER indicators go to


@dataclass(frozen=True)
class ExercisesConfig:
    dir: str = ""  # a folder of *.toml scenarios beside the shipped ones; same name wins
    # who may start an exercise: user ids or org ids; empty: anyone
    facilitators: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditConfig:
    """The deployment's signing key for checkpoints, and how often they are taken."""

    signing_key_file: str = ""  # a PEM (PKCS8) Ed25519 key: `warroom audit keygen --out FILE`
    signing_key_env: str = ""  # or a variable holding the PEM or the raw key in base64
    # where a key is generated on first start when none is named ("": beside the database)
    data_dir: str = ""
    checkpoint_interval: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class HttpConfig:
    listen: str = "127.0.0.1:8080"


@dataclass(frozen=True)
class WebConfig:
    """The dashboard: where its links point (`""`: http:// and `[http] listen`) and how long
    a sign-in lasts."""

    base_url: str = ""
    session: timedelta = timedelta(hours=12)

    def link_base(self, listen: str) -> str:
        return (self.base_url or f"http://{listen}").rstrip("/")


def listen_address(listen: str) -> tuple[str, int]:
    """`"127.0.0.1:8080"`, `"[::1]:8080"` or `":8080"` to (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not (port.isascii() and port.isdigit()) or int(port) > 65535:
        raise ConfigError("http.listen", f"{listen!r} is not HOST:PORT (a port 0 to 65535)")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not _valid_host(bare, bracketed=bare != host):
        raise ConfigError("http.listen", f"{host!r} is neither an IP address nor a host name")
    return bare or "0.0.0.0", int(port)


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed or ":" in host:
        return bracketed and _is_ip(host, 6)
    if host and all(c.isdigit() or c == "." for c in host):
        return _is_ip(host, 4)
    return not host or (host.isascii() and bool(_HOSTNAME.match(host)))


def _is_ip(host: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(host).version == version
    except ValueError:
        return False


@dataclass(frozen=True)
class SlackConfig:
    mode: str = "socket"
    api_url: str = "https://slack.com/api/"
    signing_secret_env: str = "WARROOM_SLACK_SIGNING_SECRET"
    app_token_env: str = "WARROOM_SLACK_APP_TOKEN"
    # Installing through Slack's OAuth flow (`/slack/install`): set client_id_env to turn it on.
    client_id_env: str = ""
    client_secret_env: str = ""
    token_key_env: str = ""  # Fernet key(s) sealing installed tokens; newest first
    redirect_url: str = ""  # https://HOST/slack/oauth_redirect; "" is the app's own

    @property
    def installs(self) -> bool:
        """Workspaces may install warroom themselves (Slack's OAuth flow)."""
        return bool(self.client_id_env)


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str = ""
    user_id: str = ""
    password_env: str = ""
    access_token_env: str = ""
    allowed_servers: tuple[str, ...] = ()
    store_dir: str = "warroom-matrix-store"
    encrypt_rooms: bool = True
    admins: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrgConfig:
    id: str
    name: str = ""
    platform: str = "console"
    workspace: str = ""
    bot_token_env: str = ""
    liaison: str = ""
    digest_room: str = ""
    users: tuple[str, ...] = ()
    locale: str = DEFAULT_LOCALE  # what the bot says to its rooms, people and digests
    timezone: str = DEFAULT_TIMEZONE  # IANA name: the times its people read

    @property
    def language(self) -> Language:
        return Language(self.locale, self.timezone)

    @property
    def display(self) -> str:
        return self.name or self.id

    @property
    def needs_install(self) -> bool:
        """A Slack org named by its team id alone: its token comes from installing warroom."""
        return self.platform == "slack" and not self.bot_token_env

    @property
    def room_workspace(self) -> str:
        """Where its rooms are: a Slack team, a Matrix server; the console has one for all."""
        return self.workspace or (CONSOLE_WORKSPACE if self.platform == "console" else "")

    @property
    def user_workspace(self) -> str:
        """Where its people are: a console person carries their organisation as theirs."""
        return self.id if self.platform == "console" else self.workspace


@dataclass(frozen=True)
class ConsoleConfig:
    org: str = "local"
    user: str = ""
    sink: str = ""
    locale: str = DEFAULT_LOCALE  # for console sessions whose org is not in [[orgs]]
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class Config:
    storage: StorageConfig = field(default_factory=StorageConfig)
    reminders: RemindersConfig = field(default_factory=RemindersConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    web: WebConfig = field(default_factory=WebConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    playbooks: PlaybooksConfig = field(default_factory=PlaybooksConfig)
    intel: IntelConfig = field(default_factory=IntelConfig)
    exercises: ExercisesConfig = field(default_factory=ExercisesConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    slack: SlackConfig | None = None
    matrix: MatrixConfig | None = None
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    orgs: tuple[OrgConfig, ...] = ()
    sharing: tuple[Agreement, ...] = ()
    goals: Goals = field(default_factory=Goals)

    def org(self, org_id: str) -> OrgConfig | None:
        return next((o for o in self.orgs if o.id == org_id), None)

    def language(self, org_id: str | None) -> Language:
        """How the bot speaks to `org_id`: its `[[orgs]]` entry, else the console's."""
        org = self.org(org_id) if org_id else None
        if org is not None:
            return org.language
        return Language(self.console.locale, self.console.timezone)


def load_config(path: str | Path | None) -> Config:
    """Read and validate a TOML file; `None` gives the embedded default (SQLite, console)."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> Config:
    known = {"storage", "reminders", "http", "limits", "slack", "matrix", "console", "orgs"}
    known.add("sharing")
    known.add("playbooks")
    known.add("goals")
    known.add("intel")
    known.add("exercises")
    known.add("web")
    known.add("audit")
    for key in raw:
        if key not in known:
            raise ConfigError(key, f"unknown section; expected one of {', '.join(sorted(known))}")
    reminders = _section(raw, "reminders", RemindersConfig, durations=True)
    orgs = tuple(_org(i, o) for i, o in enumerate(_list(raw, "orgs")))
    config = Config(
        storage=_section(raw, "storage", StorageConfig),
        reminders=reminders,
        http=_section(raw, "http", HttpConfig),
        web=_web(raw),
        limits=_section(raw, "limits", LimitsConfig),
        playbooks=_section(raw, "playbooks", PlaybooksConfig),
        intel=_section(raw, "intel", IntelConfig),
        exercises=_section(raw, "exercises", ExercisesConfig),
        audit=_section(raw, "audit", AuditConfig),
        slack=_section(raw, "slack", SlackConfig) if "slack" in raw else None,
        matrix=_section(raw, "matrix", MatrixConfig) if "matrix" in raw else None,
        console=_section(raw, "console", ConsoleConfig),
        orgs=orgs,
        sharing=tuple(_sharing(i, s) for i, s in enumerate(_list(raw, "sharing"))),
        goals=_goals(raw.get("goals", {})),
    )
    _check(config)
    return config


def _list(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(key, f"must be an array of tables ([[{key}]])")
    return value


def _section(raw: dict[str, Any], name: str, cls: type, *, durations: bool = False) -> Any:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(name, "must be a table")
    return _build(name, table, cls, durations=durations)


def _build(prefix: str, table: dict[str, Any], cls: type, *, durations: bool = False) -> Any:
    defaults = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{prefix}.{key}"
        if key not in defaults:
            raise ConfigError(where, f"unknown key; expected one of {', '.join(defaults)}")
        kind = defaults[key].type
        if durations or kind == "timedelta":
            if not isinstance(value, str):
                raise ConfigError(where, 'must be a duration string like "30m"')
            try:
                values[key] = parse_duration(value)
            except ValueError as exc:
                raise ConfigError(where, str(exc)) from None
        elif kind.startswith("tuple"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(where, "must be a list of strings")
            values[key] = tuple(value)
        elif kind == "int":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 2**31:
                raise ConfigError(where, "must be a whole number from 1 to 2147483648")
            values[key] = value
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(where, "must be true or false")
            values[key] = value
        else:
            if not isinstance(value, str):
                raise ConfigError(where, "must be a string")
            values[key] = value
    return cls(**values)


def _web(raw: dict[str, Any]) -> WebConfig:
    table = raw.get("web", {})
    if not isinstance(table, dict):
        raise ConfigError("web", "must be a table")
    plain = {k: v for k, v in table.items() if k != "session"}
    web: WebConfig = _build("web", plain, WebConfig)
    if "session" in table:
        timed = _build("web", {"session": table["session"]}, WebConfig, durations=True)
        web = WebConfig(base_url=web.base_url, session=timed.session)
    url = web.base_url
    if url and not (url.startswith(("https://", "http://")) and url.split("/")[2]):
        raise ConfigError("web.base_url", "must be an https:// (or http://) URL")
    return web


def _org(index: int, table: dict[str, Any]) -> OrgConfig:
    where = f"orgs[{index}]"
    if not isinstance(table.get("id"), str) or not table["id"]:
        raise ConfigError(f"{where}.id", "every org needs an id")
    org: OrgConfig = _build(where, table, OrgConfig)
    if org.platform not in PLATFORMS:
        raise ConfigError(f"{where}.platform", f"must be one of {', '.join(PLATFORMS)}")
    if org.platform != "console" and not org.workspace:
        raise ConfigError(f"{where}.workspace", f"{org.platform} orgs need a workspace")
    _check_language(where, org.locale, org.timezone)
    return org


def _check_language(where: str, locale: str, timezone: str) -> None:
    problem = locale_problem(locale)
    if problem:
        raise ConfigError(f"{where}.locale", problem)
    problem = timezone_problem(timezone)
    if problem:
        raise ConfigError(f"{where}.timezone", problem)


def _sharing(index: int, table: dict[str, Any]) -> Agreement:
    where = f"sharing[{index}]"
    orgs = table.get("orgs")
    if not isinstance(orgs, list) or len(orgs) < 2 or not all(isinstance(o, str) for o in orgs):
        raise ConfigError(f"{where}.orgs", "must list at least two org ids")
    for key in table:
        if key not in ("orgs", "max_tlp"):
            raise ConfigError(f"{where}.{key}", "unknown key; expected orgs or max_tlp")
    try:
        cap = Tlp.parse(str(table.get("max_tlp", "RED")))
    except ValueError as exc:
        raise ConfigError(f"{where}.max_tlp", str(exc)) from None
    return Agreement(orgs=tuple(orgs), max_tlp=cap)


def _goals(table: Any) -> Goals:
    try:
        return parse_goals(table, parse_duration)
    except GoalsProblem as exc:
        raise ConfigError(exc.key, exc.problem) from None


def _check(config: Config) -> None:
    ids = [o.id for o in config.orgs]
    for i, org_id in enumerate(ids):
        if org_id in ids[:i]:
            raise ConfigError(f"orgs[{i}].id", f"org {org_id!r} is declared twice")
    for i, org in enumerate(config.orgs):
        if org.platform == "slack" and config.slack is None:
            raise ConfigError(f"orgs[{i}].platform", "a Slack org needs a [slack] section")
        if org.needs_install and config.slack is not None and not config.slack.installs:
            raise ConfigError(
                f"orgs[{i}].bot_token_env",
                "a Slack org needs a bot token env var, or [slack] client_id_env for installs",
            )
        if org.platform == "matrix" and config.matrix is None:
            raise ConfigError(f"orgs[{i}].platform", "a Matrix org needs a [matrix] section")
    homes: dict[tuple[str, str], str] = {}
    for i, org in enumerate(config.orgs):
        home = (org.platform, org.workspace)
        if org.platform != "console" and home in homes:
            raise ConfigError(
                f"orgs[{i}].workspace",
                f"{org.platform} workspace {org.workspace!r} already belongs to {homes[home]!r}; "
                "tell their people apart with `users` lists instead",
            )
        homes[home] = org.id
        if org.platform == "matrix" and org.liaison and not org.liaison.startswith("@"):
            raise ConfigError(f"orgs[{i}].liaison", "a Matrix liaison is a user id like @x:server")
    pairs: dict[frozenset[str], int] = {}
    for i, share in enumerate(config.sharing):
        for org_id in share.orgs:
            if org_id not in ids:
                raise ConfigError(f"sharing[{i}].orgs", f"unknown org {org_id!r}")
        if len(set(share.orgs)) != len(share.orgs):
            raise ConfigError(f"sharing[{i}].orgs", "lists an org twice")
        for a in share.orgs:
            for b in share.orgs:
                pair = frozenset((a, b))
                if a < b and pair in pairs and pairs[pair] != i:
                    raise ConfigError(
                        f"sharing[{i}].orgs",
                        f"{a} and {b} already have an agreement in sharing[{pairs[pair]}]",
                    )
                pairs.setdefault(pair, i)
    for org_id in config.goals.org_ids:
        if org_id not in ids:
            raise ConfigError(f"goals.orgs.{org_id}", f"unknown org {org_id!r}")
    listen_address(config.http.listen)
    _check_language("console", config.console.locale, config.console.timezone)
    if config.slack and config.slack.mode not in ("socket", "http"):
        raise ConfigError("slack.mode", "must be socket or http")
    if config.slack and config.slack.installs:
        _check_installs(config.slack)
    if config.orgs and config.console.org not in ids and config.console.org != "local":
        raise ConfigError("console.org", f"unknown org {config.console.org!r}")
    _check_store_url(config.storage.url)
    if config.playbooks.dir and not Path(config.playbooks.dir).is_dir():
        raise ConfigError("playbooks.dir", f"{config.playbooks.dir!r} is not a folder")
    if config.exercises.dir and not Path(config.exercises.dir).is_dir():
        raise ConfigError("exercises.dir", f"{config.exercises.dir!r} is not a folder")


def _check_installs(slack: SlackConfig) -> None:
    """OAuth installs need the app's secret and a key to seal the tokens they bring."""
    for key in ("client_secret_env", "token_key_env"):
        if not getattr(slack, key):
            raise ConfigError(f"slack.{key}", "needed when slack.client_id_env is set")
    url = slack.redirect_url
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError("slack.redirect_url", "must be an https:// (or http://) URL")


def _check_store_url(url: str) -> None:
    """A driver we serve, and for SQLite a file whose folder exists."""
    driver, sep, rest = url.partition("://")
    if not sep or not (driver.startswith("sqlite") or driver.startswith("postgresql")):
        raise ConfigError("storage.url", "must be a sqlite:/// or postgresql+... URL")
    if driver not in DRIVERS:
        raise ConfigError("storage.url", f"unknown driver {driver!r}; one of {', '.join(DRIVERS)}")
    if not driver.startswith("sqlite"):
        return
    database = rest.partition("?")[0].removeprefix("/")
    if database in ("", ":memory:"):
        return
    where = Path(database)
    if where.is_dir():
        raise ConfigError("storage.url", f"{database!r} is a folder, not a database file")
    if not where.parent.is_dir():
        raise ConfigError("storage.url", f"the folder {str(where.parent)!r} does not exist")


def secret(env_name: str, key: str) -> str:
    """The value of a secret's environment variable, or a ConfigError naming the key."""
    value = os.environ.get(env_name, "")
    if not env_name or not value:
        raise ConfigError(key, f"environment variable {env_name or '(unset)'} is empty")
    return value
