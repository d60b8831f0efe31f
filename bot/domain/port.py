"""The port every chat adapter implements (DESIGN.md, "The port every adapter implements").

Every ability an adapter may have is declared here, so mypy checks it; `PortDefaults` gives
the ones a platform lacks their neutral meaning (no power levels, nothing to remember, no
HTTP routes), and an adapter overrides what its platform has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from warroom.bot.domain.events import Inbound, MessageRef, RoomRef, UserRef
from warroom.bot.domain.messages import Message

Sink = Callable[[Inbound], Awaitable[None]]
# Which organisation a person belongs to, from config; None for nobody configured.
OrgOf = Callable[[UserRef], str | None]


@dataclass(frozen=True)
class RoomSpec:
    """A war room to create: `name` is a hint the adapter fits to its platform's rules."""

    name: str
    topic: str
    org: str
    workspace: str
    invitees: tuple[UserRef, ...] = ()
    incident_key: str = ""
    title: str = ""  # as the room's organisation may see it; "" where it is withheld
    heading: str = ""  # `INC-1: title`, or `INC-1 (title withheld: TLP:RED)`: a room's name


class AdapterError(Exception):
    """A platform refused or failed an action; `retryable` says whether to try again later,
    `rate_limited` that the platform asked us to slow down (HTTP 429, M_LIMIT_EXCEEDED)."""

    def __init__(
        self, message: str, *, retryable: bool = True, rate_limited: bool = False
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.rate_limited = rate_limited


class NotStored(Exception):
    """The sink could not record an inbound event: do not acknowledge it to the platform."""


class AdapterMemory(Protocol):
    """What an adapter must remember across restarts (a sync token, a device id), kept in
    warroom's database; keys are the adapter's own."""

    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class Installation:
    """A workspace that installed the app through its platform's OAuth flow (Slack's). Only
    `sealed` holds credentials, encrypted by the adapter before it gets here."""

    platform: str
    workspace: str
    sealed: str
    installed_at: datetime
    name: str = ""
    installed_by: str = ""


class Installations(Protocol):
    """Installations and the OAuth states of installs in progress, kept in warroom's database
    so every process finds what another one was given; a state is good once, until it expires."""

    async def save(self, installation: Installation) -> None: ...
    async def find(self, platform: str, workspace: str) -> Installation | None: ...
    async def every(self, platform: str) -> Sequence[Installation]: ...
    async def remove(self, platform: str, workspace: str) -> bool: ...
    async def issue_state(self, platform: str, state: str, expires_at: datetime) -> None: ...
    async def consume_state(self, platform: str, state: str, now: datetime) -> bool: ...


@dataclass(frozen=True)
class OpenRoom:
    """A war room of an incident that is not closed, and how far warroom captured it: what
    an adapter needs to fetch what was said there while it was away."""

    room: RoomRef
    since: datetime  # when the room was linked: nothing said before belongs to the incident
    newest_message_id: str = ""  # the newest message captured from it; "" for none


class OpenRooms(Protocol):
    """The open war rooms on one platform, read from warroom's database."""

    async def __call__(self, platform: str) -> Sequence[OpenRoom]: ...


# Where a stored event falls in what was said in its room (a Slack ts, as epoch seconds); None
# for an event that is not itself a message (a reaction, a slash command): it falls at when it
# arrived.
SaidOrder = Callable[[Inbound], Decimal | None]


class Holds(Protocol):
    """Holding back the handling of stored events (not their storing, nor the acks) while an
    adapter fetches what was said before them: a whole platform's, until the adapter knows
    where each room's gap begins, then a room's, until its gap is filled."""

    def hold(self, where: str | RoomRef) -> None:
        """Hold a platform's (by name) or a room's events; holds of one place add up."""
        ...

    def release(self, where: str | RoomRef, *, said_order: SaidOrder | None = None) -> None:
        """Undo one `hold`; the last one of a room puts what it held in `said_order` first."""
        ...


@dataclass(frozen=True)
class HttpRequest:
    """A request as the HTTP server hands it to a route: raw body, raw query string, header
    names in lower case (repeated headers joined with ", ")."""

    method: str
    path: str
    body: bytes = b""
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpResponse:
    """A route's answer; `headers` carries the content type."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpRoute:
    """An endpoint an adapter serves on warroom's one HTTP server (Slack's events)."""

    method: str
    path: str
    handler: Callable[[HttpRequest], Awaitable[HttpResponse]]


@dataclass(frozen=True)
class Health:
    """An adapter's part of `/healthz`: `details` are JSON values (mode, connected, ...)."""

    ok: bool
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PlaybookChoice:
    """A playbook people may apply, as a form offers it."""

    name: str
    title: str


class PlaybookChoices(Protocol):
    """The playbooks there are now (shipped and `[playbooks] dir`), read when a form opens."""

    def __call__(self) -> Sequence[PlaybookChoice]: ...


class ChatAdapter(Protocol):
    platform: str
    # Runs in one process only (a Matrix device syncs in one place): with several processes
    # on PostgreSQL it follows the scheduler's leadership.
    leader_only: bool
    # Its war rooms admit only invited people, so being in one is enough to take part.
    private_rooms: bool
    # How people there start a command, as the bot says it in reminders: `/incident`.
    command_word: str
    # It tells its platform an event was received (Slack's ack, Matrix's sync token), so its
    # sink stores each event before returning (the inbox) and raises `NotStored` if it
    # cannot; otherwise (a local terminal) the sink handles the event before returning.
    acknowledges: bool

    async def start(self, sink: Sink) -> None: ...
    async def stop(self) -> None: ...
    async def create_room(self, spec: RoomSpec) -> RoomRef: ...
    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None: ...
    async def post(self, room: RoomRef, message: Message) -> MessageRef: ...
    async def edit(self, ref: MessageRef, message: Message) -> None: ...
    async def delete(self, ref: MessageRef) -> None: ...
    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None: ...
    async def set_topic(self, room: RoomRef, topic: str) -> None: ...
    async def pin(self, room: RoomRef, ref: MessageRef) -> None: ...
    async def archive(self, room: RoomRef) -> None: ...

    async def set_leads(self, room: RoomRef, leads: Sequence[UserRef]) -> None:
        """Give the incident's commander and deputy the room's moderator powers."""
        ...

    async def rename(self, room: RoomRef, spec: RoomSpec) -> None:
        """Give the room the name and heading `spec` has now (what the title shows changed)."""
        ...

    def bind_memory(self, memory: AdapterMemory) -> None:
        """Hand the adapter its memory before `start`."""
        ...

    def bind_installations(self, installations: Installations) -> None:
        """Hand the adapter the installations store before `start` (Slack's OAuth installs)."""
        ...

    def bind_open_rooms(self, rooms: OpenRooms) -> None:
        """Let the adapter read the open war rooms before `start`, to catch up on what was
        said there while it was away."""
        ...

    def bind_holds(self, holds: Holds) -> None:
        """Let the adapter hold back the handling of what arrives while it catches up, so the
        missed messages go first (before `start`)."""
        ...

    def bind_playbooks(self, playbooks: PlaybookChoices) -> None:
        """Let the adapter offer the playbooks where it asks for an incident (Slack's form)."""
        ...

    def http_routes(self) -> Sequence[HttpRoute]:
        """Endpoints to serve on warroom's HTTP server."""
        ...

    def health(self) -> Health:
        """What `/healthz` reports for this adapter."""
        ...

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        """Turn a mention as typed on this platform (`<@U1>`, `@bob:hs`, `@bob`) into a user."""
        ...


class PortDefaults:
    """The port's optional abilities as a platform without them has them."""

    leader_only: bool = False
    private_rooms: bool = False
    command_word: str = "/incident"
    acknowledges: bool = False

    async def set_leads(self, room: RoomRef, leads: Sequence[UserRef]) -> None:
        return

    async def rename(self, room: RoomRef, spec: RoomSpec) -> None:
        return

    def bind_memory(self, memory: AdapterMemory) -> None:
        return

    def bind_installations(self, installations: Installations) -> None:
        return

    def bind_open_rooms(self, rooms: OpenRooms) -> None:
        return

    def bind_holds(self, holds: Holds) -> None:
        return

    def bind_playbooks(self, playbooks: PlaybookChoices) -> None:
        return

    def http_routes(self) -> Sequence[HttpRoute]:
        return ()

    def health(self) -> Health:
        return Health(ok=True)


def parse_mention(platform: str, token: str, *, workspace: str) -> UserRef | None:
    """`@name` or `@name@org` as the console and the console sink read mentions."""
    if not token.startswith("@") or len(token) < 2:
        return None
    name, _, org = token[1:].partition("@")
    return UserRef(platform, org or workspace, name, name) if name else None
