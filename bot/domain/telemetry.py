"""What the process tells its operators as it works: the interface the dispatcher, the relay,
the reminders and the outbox report through (the runtime's Prometheus metrics implement it),
so none of them knows how it is counted. Every label value comes from a fixed set."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Protocol


class CommandOutcome(Enum):
    OK = "ok"
    REFUSED = "refused"  # a CommandError: bad input, not allowed; nothing changed
    FAILED = "failed"  # an unexpected failure: logged, apologised for
    UNKNOWN = "unknown_verb"


class ErrorKind(Enum):
    ERROR = "error"
    RATE_LIMITED = "rate_limited"  # the platform said 429 / M_LIMIT_EXCEEDED


UNKNOWN_VERB = "(unknown)"  # the verb label of a command no registry knows


class Telemetry(Protocol):
    def command_finished(self, verb: str, outcome: CommandOutcome) -> None: ...

    def relay_decided(self, decisions: Sequence[tuple[str, str]]) -> None:
        """(outcome, reason) per room: ("relayed", "allowed"), ("withheld", "red"), ..."""
        ...

    def reminders_sent(self, late_s: Sequence[float]) -> None:
        """Seconds from each reminder's (or escalation's) due time to its sending."""
        ...

    def platform_failed(self, platform: str, kind: ErrorKind) -> None: ...


class NoTelemetry:
    """Counts nothing: for tests and tools that run without the HTTP listener."""

    def command_finished(self, verb: str, outcome: CommandOutcome) -> None:
        pass

    def relay_decided(self, decisions: Sequence[tuple[str, str]]) -> None:
        pass

    def reminders_sent(self, late_s: Sequence[float]) -> None:
        pass

    def platform_failed(self, platform: str, kind: ErrorKind) -> None:
        pass


NO_TELEMETRY = NoTelemetry()
