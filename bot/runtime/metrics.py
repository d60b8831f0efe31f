"""Prometheus metrics for operators, on a registry of our own (not the library's global one,
so each app and each test counts apart). Counters and the histogram are told by the code
through `Telemetry`; the gauges read the store when Prometheus scrapes."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from warroom.bot.domain.clock import Clock
from warroom.bot.domain.telemetry import CommandOutcome, ErrorKind
from warroom.storage.stats import OpenCount
from warroom.storage.store import Store

log = logging.getLogger(__name__)

LATENESS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


class Metrics:
    """The process's metrics; `Telemetry` for the code that counts, `scrape` for /metrics."""

    def __init__(self, store: Store, clock: Clock, *, verbs: Sequence[str]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.verbs = frozenset(verbs)
        self.commands = Counter(
            "warroom_commands",
            "Commands handled, by verb and outcome",
            ["verb", "outcome"],
            registry=self.registry,
        )
        self.relays = Counter(
            "warroom_relay_decisions",
            "Relay decisions per room, by outcome and reason",
            ["outcome", "reason"],
            registry=self.registry,
        )
        self.lateness = Histogram(
            "warroom_reminder_lateness_seconds",
            "Seconds from a status reminder's due time to its sending",
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )
        self.platform_errors = Counter(
            "warroom_platform_errors",
            "Platform calls that failed, by adapter and kind (rate_limited: a 429)",
            ["adapter", "kind"],
            registry=self.registry,
        )
        self.registry.register(_StoreGauges(store, clock))

    def command_finished(self, verb: str, outcome: CommandOutcome) -> None:
        shown = verb if verb in self.verbs else "(unknown)"
        self.commands.labels(verb=shown, outcome=outcome.value).inc()

    def relay_decided(self, decisions: Sequence[tuple[str, str]]) -> None:
        for outcome, reason in decisions:
            self.relays.labels(outcome=outcome, reason=reason).inc()

    def reminders_sent(self, late_s: Sequence[float]) -> None:
        for seconds in late_s:
            self.lateness.observe(max(0.0, seconds))

    def platform_failed(self, platform: str, kind: ErrorKind) -> None:
        self.platform_errors.labels(adapter=platform, kind=kind.value).inc()

    def scrape(self) -> bytes:
        """The exposition text; reads the store (call it off the event loop)."""
        return generate_latest(self.registry)


class _StoreGauges(Collector):
    """Open incidents and the outbox, read from the store at each scrape."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(self._families([], 0, None))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock.now()
        opened, (depth, oldest) = self.store.transaction_sync(
            lambda uow: (uow.stats.open_incidents(), uow.stats.outbox_waiting())
        )
        return iter(
            self._families(opened, depth, (now - oldest).total_seconds() if oldest else None)
        )

    @staticmethod
    def _families(
        opened: Sequence[OpenCount], depth: int, oldest_s: float | None
    ) -> list[GaugeMetricFamily]:
        incidents = GaugeMetricFamily(
            "warroom_open_incidents",
            "Incidents not resolved or closed, by severity and taking-part organisation",
            labels=["severity", "org", "exercise"],
        )
        for row in opened:
            labels = [str(row.severity), row.org, "true" if row.exercise else "false"]
            incidents.add_metric(labels, row.count)
        outbox = GaugeMetricFamily("warroom_outbox_depth", "Outbox items waiting for delivery")
        outbox.add_metric([], depth)
        age = GaugeMetricFamily(
            "warroom_outbox_oldest_age_seconds", "Age of the oldest waiting outbox item (0: none)"
        )
        age.add_metric([], max(0.0, oldest_s or 0.0))
        return [incidents, outbox, age]
