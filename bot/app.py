"""The composition root: the one place where config becomes running objects."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from warroom import commands
from warroom.bot.config import Config, ConfigError
from warroom.bot.core import Core, IncidentListener
from warroom.bot.directory import OrgDirectory
from warroom.bot.domain.clock import Clock, SystemClock
from warroom.bot.domain.port import ChatAdapter, Sink
from warroom.bot.operations import effects, playbook_choices
from warroom.bot.operations.checklist_refresh import ChecklistRefresh
from warroom.bot.operations.checkpoints import Checkpointer
from warroom.bot.operations.dashboard import DashboardReads
from warroom.bot.operations.services import Services
from warroom.bot.registry import Registry
from warroom.bot.reminders import Reminders
from warroom.bot.reminders.timers import Timers
from warroom.bot.runtime import (
    checklists,
    deliveries,
    exercise_rooms,
    rooms,
    signing_key,
    suggestions,
)
from warroom.bot.runtime.extraction import Extraction
from warroom.bot.runtime.http import HttpServer, Mount
from warroom.bot.runtime.inbox import Intake
from warroom.bot.runtime.leader import leadership_for
from warroom.bot.runtime.memory import StoredMemory
from warroom.bot.runtime.metrics import Metrics
from warroom.bot.runtime.open_rooms import StoredOpenRooms
from warroom.bot.runtime.outbox import Action, ActionTable, OutboxDispatcher
from warroom.bot.runtime.timeline_news import TimelineNews
from warroom.storage.engine import is_sqlite, job_store_engine
from warroom.storage.installations import StoredInstallations
from warroom.storage.migrate import upgrade
from warroom.storage.store import Store

log = logging.getLogger(__name__)

LEADERSHIP_CHECK_S = 1.0

# Platform adapters are imported only when an org uses them, so the console needs no SDKs.
ADAPTER_FACTORIES = {
    "slack": "warroom.adapters.slack.factory:build_slack_adapter",
    "matrix": "warroom.adapters.matrix.factory:build_matrix_adapter",
}

SETTLE_S = 10.0  # how long stopping waits for the work that follows answers


@dataclass
class App:
    config: Config
    services: Services
    outbox: OutboxDispatcher
    core: Core
    intake: Intake
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    reminders: Reminders | None = None
    http: HttpServer | None = None  # `/healthz`, `/metrics`, the adapters' routes, when asked
    metrics: Metrics | None = None
    extraction: Extraction | None = None  # observables, scanned after the answers
    # Set when this process lost the leadership it needed for a leader-only adapter (the
    # Matrix sync loop): `warroom run` then exits so its supervisor restarts it as a standby.
    deposed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def store(self) -> Store:
        return self.services.store

    async def start(self, *, outbox_interval: float = 2.0) -> None:
        await self.intake.recover()  # scheduled first, so they go before anything new
        for adapter in self.services.adapters.values():
            if self._leader_only(adapter):
                self.tasks.append(asyncio.create_task(self._serve_while_leading(adapter)))
            else:
                await adapter.start(self.sink_for(adapter))
        self.intake.open()
        self.outbox.deliver_on_commit()
        self.outbox.settling.deferred = True  # what follows an answer goes after it
        self.tasks.append(asyncio.create_task(self.outbox.run_forever(outbox_interval)))
        if self.reminders is not None:
            await self.reminders.start()
        if self.http is not None:
            await self.http.start()
        if self.extraction is not None:  # what was said while nobody scanned
            await self.outbox.settling.run(self.extraction.recover)

    def _leader_only(self, adapter: ChatAdapter) -> bool:
        """Adapters that must run in one process only (a Matrix device syncs in one place)
        follow the scheduler's leadership when several processes share PostgreSQL."""
        return (
            adapter.leader_only
            and self.reminders is not None
            and not is_sqlite(self.config.storage.url)
        )

    async def _serve_while_leading(self, adapter: ChatAdapter) -> None:
        assert self.reminders is not None
        await self.reminders.leading.wait()
        log.warning("leader: serving %s from this process", adapter.platform)
        await adapter.start(self.sink_for(adapter))
        while self.reminders.leading.is_set():
            await asyncio.sleep(LEADERSHIP_CHECK_S)
        log.error("leadership lost while serving %s: stopping this process", adapter.platform)
        self.deposed.set()

    def sink_for(self, adapter: ChatAdapter) -> Sink:
        """What acknowledges to its platform goes through the inbox; a terminal does not."""
        return self.intake.accept if adapter.acknowledges else self.core.handle

    async def idle(self) -> None:
        """Wait until every stored inbound event has been processed, and what followed their
        answers has run (tests, benchmarks)."""
        await self.intake.idle()
        await self.core.settled()

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.stop()
        await self.intake.stop()
        with contextlib.suppress(TimeoutError):  # what is left is in the outbox: retried
            await asyncio.wait_for(self.core.settled(), SETTLE_S)
        if self.reminders is not None:
            await self.reminders.stop()
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        for adapter in self.services.adapters.values():
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping the %s adapter failed", adapter.platform)
        for sibling in (self.intake.writer, self.outbox.reader):
            if sibling is not self.services.store:
                sibling.close()
        self.services.store.close()


def build_app(
    config: Config,
    *,
    adapters: Mapping[str, ChatAdapter],
    clock: Clock | None = None,
    listeners: Sequence[IncidentListener] = (),
    serve_http: bool = False,
) -> App:
    """Everything wired; with `serve_http`, `start` also serves `[http] listen` (`warroom run`)."""
    if config.storage.auto_upgrade:
        upgrade(config.storage.url)
    store = Store(config.storage.url)
    memory = StoredMemory(store)
    installations = StoredInstallations(store)
    open_rooms = StoredOpenRooms(store)
    for adapter in adapters.values():
        adapter.bind_memory(memory)
        adapter.bind_installations(installations)
        adapter.bind_open_rooms(open_rooms)
        adapter.bind_playbooks(lambda: playbook_choices.choices(config))
    clock = clock or SystemClock()
    registry = command_registry()
    metrics = Metrics(store, clock, verbs=list(registry))
    speaking = exercise_rooms.marking(adapters, store, config)  # the exercise mark
    dispatcher = OutboxDispatcher(
        store, clock, speaking, outbox_actions(), config, telemetry=metrics, reader=store.reader()
    )
    checkpointer = Checkpointer(
        signing_key.configured(config.audit, config.storage), config=config, clock=clock
    )
    store.hints.before_commit = checkpointer.before_commit
    services = Services(
        store=store,
        clock=clock,
        config=config,
        directory=OrgDirectory(config),
        adapters=speaking,
        outbox=dispatcher,
        telemetry=metrics,
        checkpointer=checkpointer,
    )
    settings = config.reminders
    timers = Timers(
        job_store_engine(config.storage.url),
        digest_interval=settings.digest_interval,
        grace=settings.misfire_grace,
    )
    leadership = leadership_for(config.storage.url, retry=settings.leader_retry.total_seconds())
    reminders = Reminders(services, leadership=leadership, timers=timers)
    refresh = ChecklistRefresh(services)
    extraction = Extraction(services, dispatcher.settling)
    news = TimelineNews()  # the dashboard's live streams hear of new entries from it
    core = Core(
        services,
        registry,
        [*listeners, reminders, refresh, extraction, news],
        settling=dispatcher.settling,
    )
    http = None
    if serve_http:
        mounts = [dashboard_mount(config, store, clock, news)]
        http = HttpServer(config.http.listen, adapters, metrics=metrics.scrape, mounts=mounts)
    intake = Intake(store, writer=store.sibling(), clock=clock, process=core.handle)
    for adapter in adapters.values():
        adapter.bind_holds(intake)
    return App(
        config=config,
        services=services,
        outbox=dispatcher,
        core=core,
        intake=intake,
        reminders=reminders,
        http=http,
        metrics=metrics,
        extraction=extraction,
    )


def dashboard_mount(
    config: Config, store: Store, clock: Clock, news: TimelineNews | None = None
) -> Mount:
    """The web dashboard's routes, for the one HTTP server; without `news` (another
    process adds the entries) its live streams find new ones by polling."""
    from warroom.adapters.web.site import Site

    return Site(DashboardReads(store, config, clock), news=news).mount


@dataclass
class DashboardServer:
    """`warroom web`: the dashboard (and `/healthz`) alone, on `[http] listen`."""

    http: HttpServer
    store: Store

    async def start(self) -> None:
        await self.http.start()

    async def stop(self) -> None:
        await self.http.stop()
        self.store.close()


def build_dashboard(config: Config, *, clock: Clock | None = None) -> DashboardServer:
    if config.storage.auto_upgrade:
        upgrade(config.storage.url)
    store = Store(config.storage.url)
    mount = dashboard_mount(config, store, clock or SystemClock())
    return DashboardServer(HttpServer(config.http.listen, {}, mounts=[mount]), store)


def command_registry() -> Registry:
    """Every command, from the command families, in the order `help` lists them."""
    return Registry.collect(commands.FAMILIES, order=commands.ORDER)


def outbox_actions() -> ActionTable:
    """What this release delivers from the outbox; other kinds wait for a release that can."""
    return ActionTable(
        [
            Action(effects.Post, deliveries.post),
            Action(effects.Notify, deliveries.notify),
            Action(effects.Invite, deliveries.invite),
            Action(effects.Archive, deliveries.archive),
            Action(effects.Edit, deliveries.edit),
            Action(effects.Delete, deliveries.delete),
            Action(effects.RelayCopy, deliveries.relay_copy),
            Action(effects.CreateRoom, rooms.create_room, prepare=rooms.plan_room),
            Action(effects.SyncRooms, rooms.sync_rooms),
            Action(effects.SyncChecklists, checklists.sync_checklists),
            Action(effects.SuggestSimilar, suggestions.suggest_similar),
        ]
    )


def platform_adapters(config: Config) -> dict[str, ChatAdapter]:
    """The Slack and Matrix adapters the config's orgs need."""
    wanted = sorted({o.platform for o in config.orgs} - {"console"})
    built: dict[str, ChatAdapter] = {}
    for platform in wanted:
        module_name, _, attr = ADAPTER_FACTORIES[platform].partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except ImportError as exc:
            raise ConfigError("orgs", f"the {platform} adapter is not available: {exc}") from None
        built[platform] = factory(config)
    return built


def console_sink(config: Config) -> dict[str, ChatAdapter]:
    """Under `warroom run`, console orgs are told through a JSON-lines file (console.sink)."""
    if not any(o.platform == "console" for o in config.orgs):
        return {}
    from warroom.adapters.sink import SinkAdapter

    return {"console": SinkAdapter(config.console.sink)}


def single_process_notice(config: Config) -> None:
    if is_sqlite(config.storage.url):
        log.warning("storage is SQLite: run one warroom process only (PostgreSQL for more)")
