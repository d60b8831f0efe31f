"""One Synapse for the whole session, and a warroom bot wired by app.py against it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.matrix.homeserver import Account, Homeserver
from tests.integration.matrix.human import WAIT_S, Human
from warroom.adapters.matrix.adapter import MatrixAdapter
from warroom.bot.app import App, build_app, platform_adapters
from warroom.bot.config import Config, MatrixConfig, OrgConfig, StorageConfig

_names = itertools.count(1)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    server = Homeserver(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@dataclass
class Bot:
    """A warroom process: its config, app and Matrix adapter."""

    config: Config
    app: App
    adapter: MatrixAdapter

    @property
    def user_id(self) -> str:
        return self.adapter.settings.user_id


def bot_config(
    server: Homeserver,
    account: Account,
    workdir: Path,
    env: str,
    *,
    encrypt: bool = True,
    admins: tuple[str, ...] = (),
) -> Config:
    return Config(
        storage=StorageConfig(url=f"sqlite:///{workdir / 'warroom.db'}"),
        matrix=MatrixConfig(
            homeserver=server.url,
            user_id=account.user_id,
            password_env=env,
            allowed_servers=(server.server_name,),
            store_dir=str(workdir / "matrix-store"),
            encrypt_rooms=encrypt,
            admins=admins,
        ),
        orgs=(OrgConfig(id="cert", name="CERT", platform="matrix", workspace=server.server_name),),
    )


async def start_bot(config: Config, adapter: MatrixAdapter | None = None) -> Bot:
    """Wire and start warroom the way `warroom run` does (or around a given adapter)."""
    adapters = {"matrix": adapter} if adapter else platform_adapters(config)
    app = build_app(config, adapters=adapters)
    await app.start(outbox_interval=0.5)
    matrix = adapters["matrix"]
    assert isinstance(matrix, MatrixAdapter)
    assert matrix.sync is not None
    await asyncio.wait_for(matrix.sync.ready.wait(), WAIT_S)
    return Bot(config, app, matrix)


@pytest.fixture
def bot_account(synapse: Homeserver, monkeypatch: pytest.MonkeyPatch) -> tuple[Account, str]:
    account = synapse.register(unique("warroom"))
    env = f"WARROOM_TEST_MATRIX_PASSWORD_{account.user_id[1:].split(':')[0].upper()}"
    monkeypatch.setenv(env, account.password)
    return account, env


@pytest.fixture
async def bot(
    synapse: Homeserver, bot_account: tuple[Account, str], tmp_path: Path
) -> AsyncIterator[Bot]:
    account, env = bot_account
    running = await start_bot(bot_config(synapse, account, tmp_path, env))
    yield running
    await running.app.stop()


async def new_human(server: Homeserver, name: str, tmp_path: Path) -> Human:
    person = Human(server.url, server.register(unique(name)), tmp_path / f"{name}-store")
    await person.start()
    return person


@pytest.fixture
async def alice(synapse: Homeserver, tmp_path: Path) -> AsyncIterator[Human]:
    person = await new_human(synapse, "alice", tmp_path)
    yield person
    await person.stop()


@pytest.fixture
async def bob(synapse: Homeserver, tmp_path: Path) -> AsyncIterator[Human]:
    person = await new_human(synapse, "bob", tmp_path)
    yield person
    await person.stop()
