"""Slack requests in, neutral events out: slash commands, the open modal, messages, 📌.

Every listener hands its event to the sink, which returns once the event is stored (the
inbox), and only then acknowledges: an ack means stored. The sink gives up within its own
deadline (well inside Slack's three seconds), and the listener then answers with a failure
rather than acknowledge what warroom could not keep:

- a slash command or the open form gets a 200 whose text (or form error) says "warroom
  could not record that, try again": Slack never resends a slash command or a form, so a
  non-200 would only show the person a vague "dispatch_failed" and lose the words they typed;
- an Events API event (a message, an edit, a 📌) gets a 503, so Slack resends it (with
  backoff, up to three times): the resend carries the same event, stored once when it comes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse

from warroom.adapters.slack import history, modal, ticks
from warroom.adapters.slack.api import SlackApi
from warroom.adapters.slack.catchup import Marks
from warroom.adapters.slack.render import CHECKLIST_ACTION, unescape
from warroom.adapters.slack.replies import ResponseUrls
from warroom.bot.domain.events import (
    PIN_EMOJI,
    Actor,
    CommandReceived,
    Inbound,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    MessageRef,
    QuotedMessage,
    ReactionAdded,
    RoomRef,
    UserRef,
    command_text,
)
from warroom.bot.domain.language import ENGLISH, N_, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import (
    AdapterError,
    NotStored,
    OrgOf,
    PlaybookChoice,
    PlaybookChoices,
)

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Message subtypes that are a person speaking; edits, joins, bot posts and the like are not.
SPOKEN = frozenset({None, "thread_broadcast", "file_share", "me_message"})
# Slack's clients may turn typed quotes into typographic ones; apostrophes stay as typed.
SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"'})
# said in English: a workspace warroom does not know has no organisation, nor a language
NOT_SET_UP = N_("warroom is not set up for your workspace; ask your Slack admin.")
NOT_RECORDED = N_("⚠ warroom could not record that, try again.")
NAME_WAIT_S = 0.5  # a person's name is looked up once; never at the cost of the ack
QUOTE_WAIT_S = 0.5  # a 📌's message is fetched alongside the name, within the same wait

Sink = Callable[[Inbound], Awaitable[None]]
Keep = Callable[[Inbound], Awaitable[bool]]
OrgChoices = Callable[[str], Sequence[tuple[str, str]]]
SayPrivately = Callable[[UserRef, RoomRef, Message], Awaitable[None]]
LanguageOf = Callable[[str], Language]


def form_failed(lang: Language) -> Message:
    return Message(
        body=lang.gettext("⚠ Slack could not open the incident form just now."),
        footer=lang.gettext("type it instead: `/incident help open` shows how"),
    )


class SlackInbound:
    """Registers the bolt listeners and feeds the core's sink."""

    def __init__(
        self,
        *,
        api: SlackApi,
        org_of: OrgOf,
        replies: ResponseUrls,
        org_choices: OrgChoices,
        say_privately: SayPrivately,
        language_of: LanguageOf = lambda _org: ENGLISH,
    ) -> None:
        self.api = api
        self.language_of = language_of  # an org's language: what its people read here
        self.say_privately = say_privately
        self.org_of = org_of
        self.replies = replies
        self.org_choices = org_choices
        self.sink: Sink | None = None
        self.playbooks: PlaybookChoices = _no_playbooks  # the open form's choices (bound later)
        self.names: dict[tuple[str, str], str] = {}
        self.marks = Marks()  # the newest message stored per room: where catching up starts
        self._tasks: set[asyncio.Task[None]] = set()

    def register(self, app: AsyncApp) -> None:
        app.command(re.compile(r"^/"))(self.on_command)
        app.view(modal.CALLBACK_ID)(self.on_open_submitted)
        app.action(CHECKLIST_ACTION)(self.on_task_ticked)
        app.event("message")(self.on_message)
        app.event("reaction_added")(self.on_reaction)
        app.event("reaction_removed")(_ignore)

    async def idle(self) -> None:
        """Wait until the forms being opened are open (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # listeners

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        team, channel, user_id = body.get("team_id", ""), body["channel_id"], body["user_id"]
        text = unescape(str(body.get("text", ""))).translate(SMART_QUOTES).strip()
        actor = self.actor(team, user_id, str(body.get("user_name", "")))
        if actor is None:
            await ack(text=NOT_SET_UP)
            return
        self.replies.remember(team, channel, user_id, str(body.get("response_url", "")))
        room = RoomRef(PLATFORM, team, channel)
        if text.lower() == "open" and body.get("trigger_id"):
            await ack()  # nothing to keep yet: the form's submission is the command
            self._spawn(self._open_modal(team, str(body["trigger_id"]), channel, actor))
            return
        event_id = f"cmd-{body.get('trigger_id') or uuid.uuid4().hex}"
        if await self._stored(CommandReceived(actor, room, text, event_id)):
            await ack()
        else:
            await ack(text=self.language_of(actor.org).gettext(NOT_RECORDED))

    async def on_open_submitted(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        user = body.get("user", {})
        team = str(user.get("team_id") or body.get("team", {}).get("id", ""))
        actor = self.actor(team, str(user.get("id", "")), str(user.get("username", "")))
        view = body.get("view", {})
        allowed = [org_id for org_id, _ in self.org_choices(actor.org)] if actor else []
        lang = self.language_of(actor.org) if actor else ENGLISH
        playbooks = [p.name for p in self.playbooks()]
        submission = modal.read_submission(
            view, allowed_orgs=allowed, lang=lang, playbooks=playbooks
        )
        if submission.errors:
            await ack(response_action="errors", errors=submission.errors)
            return
        if actor is None or not submission.channel:
            await ack()
            log.warning("open modal from %s/%s dropped: no org or channel", team, user.get("id"))
            return
        room = RoomRef(PLATFORM, team, submission.channel)
        event_id = f"view-{view.get('id') or uuid.uuid4().hex}"
        if await self._stored(CommandReceived(actor, room, submission.command, event_id)):
            await ack()
        else:  # the form stays open with the person's input, to submit again
            await ack(response_action="errors", errors={"title": lang.gettext(NOT_RECORDED)})

    async def on_task_ticked(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A checklist checkbox: `task done N` (or `reopen`) as whoever clicked, acked once
        stored; the core refuses it privately like any command. Slack never resends a click,
        so one not stored is acked too, and the person is told to try again."""
        user = body.get("user") or {}
        room_team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        actor = self.actor(
            str(user.get("team_id") or room_team),
            str(user.get("id", "")),
            str(user.get("username") or user.get("name") or ""),
        )
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        if actor is None or not channel:
            await ack()
            return
        room = RoomRef(PLATFORM, room_team, channel)
        if body.get("response_url"):  # where a refusal is answered, seen by the clicker only
            self.replies.remember(
                room_team, channel, actor.user.user_id, str(body["response_url"])
            )
        message_ts = str(container.get("message_ts", ""))
        first: dict[str, Any] = next(iter(body.get("actions") or []), {})
        clicked = str(first.get("action_ts", ""))
        stored = True
        for tick in ticks.ticks(body):
            event_id = f"tick-{channel}-{message_ts}-{clicked}-{tick.number}"
            command = CommandReceived(actor, room, tick.words, event_id)
            stored = await self._stored(command) and stored
        await ack()
        if not stored:
            lang = self.language_of(actor.org)
            await self.say_privately(actor.user, room, Message(body=lang.gettext(NOT_RECORDED)))

    async def on_message(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> BoltResponse | None:
        inbound = await self._message(body, event, context)
        return await self._ack_event(ack, inbound, keep=self.keep)

    async def _message(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> Inbound | None:
        if event.get("subtype") in ("message_changed", "message_deleted"):
            return self._changed(body, event, context)
        return await self.spoken(
            event, workspace=str(context.team_id or ""), bot_user=context.bot_user_id
        )

    async def spoken(
        self, event: dict[str, Any], *, workspace: str, bot_user: str | None
    ) -> Inbound | None:
        """A person's message (an event, or one fetched from the channel's history) as a
        command or a message; None for what is not a person speaking."""
        if event.get("subtype") not in SPOKEN or event.get("bot_id") or not event.get("user"):
            return None
        if event["user"] == bot_user:
            return None
        team = str(event.get("team") or workspace)
        actor = self.actor(str(event.get("user_team") or team), str(event["user"]))
        if actor is None:
            return None
        room = RoomRef(PLATFORM, workspace or team, str(event["channel"]))
        text = unescape(str(event.get("text", "")))
        ts = str(event["ts"])  # a message's ts is its id: 📌 reactions point at it
        words = command_text(text.translate(SMART_QUOTES))
        thread = str(event.get("thread_ts") or "")
        actor = await self._named(actor)
        if words is not None:
            return CommandReceived(actor, room, words, ts)
        return MessagePosted(actor, room, text, ts, reply_to="" if thread == ts else thread)

    async def keep(self, event: Inbound) -> bool:
        """Store a person's message (the sink); once stored, it is where catching up in its
        room would start."""
        if not await self._stored(event):
            return False
        if isinstance(event, MessagePosted | CommandReceived):
            self.marks.saw(event.room, event.event_id)  # a message's event id is its ts
        return True

    def _changed(
        self, body: dict[str, Any], event: dict[str, Any], ctx: AsyncBoltContext
    ) -> Inbound | None:
        """An edit or a deletion of a person's message, so its relayed copies follow."""
        edited = event.get("message") or {}
        before = event.get("previous_message") or {}
        author = str(edited.get("user") or before.get("user") or "")
        if not author or author == ctx.bot_user_id or edited.get("bot_id") or before.get("bot_id"):
            return None
        team = str(ctx.team_id or body.get("team_id", ""))
        actor = self.actor(str(edited.get("user_team") or before.get("user_team") or team), author)
        if actor is None:
            return None
        room = RoomRef(PLATFORM, team, str(event["channel"]))
        event_id = str(body.get("event_id") or f"{event['channel']}-{event.get('ts')}")
        if event.get("subtype") == "message_deleted":
            target = MessageRef(room, str(event.get("deleted_ts") or before.get("ts")))
            return MessageDeleted(actor, room, target, event_id)
        if edited.get("text") == before.get("text"):
            return None  # an unfurl or a reaction count changed, not the words
        target = MessageRef(room, str(edited.get("ts")))
        text = unescape(str(edited.get("text", "")))
        return MessageEdited(actor, room, target, text, event_id)

    async def on_reaction(
        self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> BoltResponse | None:
        return await self._ack_event(ack, await self._reaction(body, event, context))

    async def _reaction(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> Inbound | None:
        item = event.get("item", {})
        if item.get("type") != "message" or event.get("user") == context.bot_user_id:
            return None
        team = str(context.team_id or body.get("team_id", ""))
        actor = self.actor(str(event.get("user_team") or team), str(event.get("user", "")))
        if actor is None:
            return None
        room = RoomRef(PLATFORM, team, str(item["channel"]))
        target = MessageRef(room, str(item["ts"]))
        event_id = str(
            body.get("event_id") or f"{item['channel']}-{item['ts']}-{event['reaction']}"
        )
        emoji = str(event["reaction"])
        named, quoted = await asyncio.gather(
            self._named(actor), self._quoted(target, emoji) if emoji in PIN_EMOJI else _none()
        )
        return ReactionAdded(named, room, target, emoji, event_id, quoted)

    async def _quoted(self, target: MessageRef, emoji: str) -> QuotedMessage | None:
        """The message a 📌 points at, as Slack has it, in case warroom never captured it;
        waiting at most QUOTE_WAIT_S (the core then names the message without its text)."""
        room = target.room
        fetch = history.message_at(self.api, room.workspace, room.room_id, target.message_id)
        try:
            said = await asyncio.wait_for(fetch, QUOTE_WAIT_S)
        except (AdapterError, TimeoutError) as exc:
            log.info("no text for the %s on %s: %r", emoji, target.message_id, exc)
            return None
        if said is None or said.get("subtype") not in SPOKEN or said.get("bot_id"):
            return None
        author = str(said.get("user") or "")
        team = str(said.get("user_team") or said.get("team") or room.workspace)
        actor = self.actor(team, author)
        if actor is None:
            return None
        return QuotedMessage(actor, unescape(str(said.get("text", ""))))

    async def _ack_event(
        self, ack: AsyncAck, event: Inbound | None, *, keep: Keep | None = None
    ) -> BoltResponse | None:
        """An Events API event: acknowledged once stored (or when there is nothing to keep);
        a 503 otherwise, so that Slack sends it again."""
        if event is None or await (keep or self._stored)(event):
            await ack()
            return None
        return BoltResponse(status=503, body="warroom could not record that event")

    # translation

    def actor(self, team: str, user_id: str, name: str = "") -> Actor | None:
        if name:
            self.names[(team, user_id)] = name
        user = UserRef(PLATFORM, team, user_id, name or self.names.get((team, user_id), ""))
        org = self.org_of(user)
        return Actor(user, org) if org and user_id else None

    async def _named(self, actor: Actor) -> Actor:
        """The actor with a display name, looked up once per person (users:read), waiting
        at most NAME_WAIT_S: the name comes with a later event if Slack is slow."""
        user = actor.user
        if user.display:
            return actor
        try:
            call = self.api.call(user.workspace, "users_info", user=user.user_id)
            found = await asyncio.wait_for(call, NAME_WAIT_S)
        except (AdapterError, TimeoutError) as exc:
            log.info("no name for %s: %r", user.user_id, exc)
            return actor
        info: dict[str, Any] = found.get("user") or {}
        profile: dict[str, Any] = info.get("profile") or {}
        name = str(profile.get("display_name") or info.get("real_name") or info.get("name") or "")
        if not name:
            return actor
        self.names[(user.workspace, user.user_id)] = name
        return Actor(UserRef(PLATFORM, user.workspace, user.user_id, name), actor.org)

    async def _stored(self, event: Inbound) -> bool:
        """Hand `event` to the sink; True once it is stored (the sink logs why not)."""
        if self.sink is None:
            log.warning("not acknowledged %s: the Slack adapter is not started", event.event_id)
            return False
        try:
            await self.sink(event)
        except NotStored:
            return False
        except Exception as exc:
            log.error("not acknowledged %s: %r", event.event_id, exc)
            return False
        return True

    async def _open_modal(self, team: str, trigger_id: str, channel: str, actor: Actor) -> None:
        lang = self.language_of(actor.org)
        view = modal.open_view(
            channel=channel,
            orgs=self.org_choices(actor.org),
            lang=lang,
            playbooks=self.playbooks(),
        )
        try:
            await self.api.call(team, "views_open", trigger_id=trigger_id, view=view)
        except AdapterError as exc:
            log.warning("could not open the incident form: %s", exc)
            room = RoomRef(PLATFORM, team, channel)
            await self.say_privately(actor.user, room, form_failed(lang))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(_logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _logged(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except Exception:
        log.exception("handling a Slack request failed")


async def _none() -> None:
    return None


def _no_playbooks() -> Sequence[PlaybookChoice]:
    return ()


async def _ignore(ack: AsyncAck) -> None:
    await ack()
