"""The Slack adapter: the port's outbound actions as Web API calls, and the bolt app that
brings requests in over Socket Mode or the HTTP Events API."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.webhook.async_client import AsyncWebhookClient

from warroom.adapters.slack import channels
from warroom.adapters.slack.api import SlackApi, SlackCallError, retry_handlers
from warroom.adapters.slack.catchup import CatchUp
from warroom.adapters.slack.events import events_route
from warroom.adapters.slack.inbound import NOT_SET_UP, PLATFORM, LanguageOf, SlackInbound
from warroom.adapters.slack.installations import SlackInstallations, SlackInstallStates
from warroom.adapters.slack.oauth import InstallFlow, install_flow, oauth_routes
from warroom.adapters.slack.render import escape, render
from warroom.adapters.slack.replies import ResponseUrls
from warroom.adapters.slack.settings import SlackSettings
from warroom.adapters.slack.transport import SocketMode
from warroom.adapters.slack.uninstall import register_uninstall
from warroom.bot.domain.events import Inbound, MessageRef, RoomRef, UserRef
from warroom.bot.domain.language import ENGLISH, Language
from warroom.bot.domain.messages import Message
from warroom.bot.domain.port import (
    AdapterError,
    Health,
    Holds,
    HttpRoute,
    Installations,
    OpenRooms,
    OrgOf,
    PlaybookChoices,
    PortDefaults,
    RoomSpec,
    Sink,
)

log = logging.getLogger(__name__)

TOPIC_LIMIT = 250
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")
GONE = frozenset({"not_in_channel", "channel_not_found", "user_not_in_channel", "is_archived"})


class SlackAdapter(PortDefaults):
    platform = PLATFORM
    private_rooms = True  # war-room channels are private: members are participants
    acknowledges = True  # every request is acked: only once its event is stored

    def __init__(
        self,
        settings: SlackSettings,
        *,
        org_of: OrgOf,
        language_of: LanguageOf = lambda _org: ENGLISH,
    ) -> None:
        self.settings = settings
        self.api = SlackApi(settings.api_url, settings.bot_tokens)
        self.replies = ResponseUrls()
        self.inbound = SlackInbound(
            api=self.api,
            org_of=org_of,
            replies=self.replies,
            org_choices=self._org_choices,
            say_privately=self.notify,
            language_of=language_of,
        )
        self.bots: dict[str, AuthorizeResult] = {}
        self._identifying: dict[str, asyncio.Task[AuthorizeResult | None]] = {}

        async def authorize(
            enterprise_id: str | None, team_id: str | None
        ) -> AuthorizeResult | None:  # bolt passes arguments by name, and not to methods
            return await self._authorize(enterprise_id, team_id)

        self.bolt = AsyncApp(
            signing_secret=settings.signing_secret or None,
            client=self.api.new_client(),
            authorize=authorize,  # type: ignore[arg-type]  # bolt takes None: "not set up"
            user_facing_authorize_error_message=NOT_SET_UP,
            # events.py checks the signature on the raw body, before anything parses it
            request_verification_enabled=False,
            # Every listener acks once its event is stored (inbound.py) and returns, so bolt
            # answers as soon as the listener returns instead of polling for the ack.
            process_before_response=True,
        )
        self.inbound.register(self.bolt)
        register_uninstall(self.bolt, self._uninstalled)
        self.socket_mode = SocketMode(self.bolt, settings, self.api)
        self._rooms: dict[tuple[str, str, str], str] = {}
        self.installations: SlackInstallations | None = None  # with OAuth installs
        self.install_flow: InstallFlow | None = None

    def bind_playbooks(self, playbooks: PlaybookChoices) -> None:
        """The open form offers these playbooks."""
        self.inbound.playbooks = playbooks

    def bind_installations(self, installations: Installations) -> None:
        """With `[slack] client_id_env`, workspaces install warroom through Slack's OAuth
        flow; their installations live in warroom's database."""
        installs = self.settings.installs
        if installs is None:
            return
        self.installations = SlackInstallations(installations, installs.sealer)
        self.api.installed = self.installations
        self.install_flow = install_flow(
            installs,
            api_url=self.settings.api_url,
            installations=self.installations,
            states=SlackInstallStates(installations, ttl_s=installs.state_ttl_s),
            installed=self._installed,
        )

    def _installed(self, team: str, token: str) -> None:
        """A workspace installed (or reinstalled) warroom: its token serves from now on."""
        self.api.add(team, token)
        self.bots.pop(team, None)
        self._identify_soon(team)

    async def _uninstalled(self, team: str) -> None:
        if self.installations is not None:
            await self.installations.remove(team)
        if team in self.settings.bot_tokens:
            log.warning("Slack workspace %s uninstalled warroom; its bot_token_env is void", team)
        self.api.forget(team)
        self.bots.pop(team, None)

    # lifecycle

    catch_up: CatchUp | None = None
    _open_rooms: OpenRooms | None = None
    _holds: Holds | None = None

    def bind_open_rooms(self, rooms: OpenRooms) -> None:
        self._open_rooms = rooms

    def bind_holds(self, holds: Holds) -> None:
        self._holds = holds

    async def start(self, sink: Sink) -> None:
        """Serve Slack's requests, and catch up in the background on what was said in open
        war rooms while warroom was away: now, and after every Socket Mode reconnect."""
        self.inbound.sink = sink
        await self.api.open()
        for team in self.settings.bot_tokens:
            self._identify_soon(team)
        self.catch_up = CatchUp(
            api=self.api,
            platform=PLATFORM,
            marks=self.inbound.marks,
            translate=self._caught_up,
            keep=self.inbound.keep,
            holds=self._holds,
        )
        self.catch_up.open_rooms = self._open_rooms
        if self.settings.mode == "socket":
            await self.socket_mode.start(on_connected=self.catch_up.soon)
        else:
            self.catch_up.soon()

    async def _caught_up(self, said: dict[str, Any], workspace: str) -> Inbound | None:
        bot = self.bots.get(workspace)
        bot_user = bot.bot_user_id if bot is not None else None
        return await self.inbound.spoken(said, workspace=workspace, bot_user=bot_user)

    async def stop(self) -> None:
        await self.socket_mode.stop()
        if self.catch_up is not None:
            await self.catch_up.stop()
        for task in list(self._identifying.values()):
            task.cancel()
        await self.inbound.idle()
        self.inbound.sink = None
        await self.api.close()

    async def _identify(self, team: str) -> AuthorizeResult | None:
        """Who the bot is in a workspace (auth.test), so its own events are ignored."""
        if team in self.bots:
            return self.bots[team]
        token = await self.api.token(team)
        if token is None:
            return None
        try:
            response = await self.api.call(team, "auth_test")
        except AdapterError as exc:
            log.warning("auth.test for Slack workspace %s failed: %s", team, exc)
            return None
        self.bots[team] = AuthorizeResult.from_auth_test_response(
            bot_token=token, auth_test_response=response
        )
        return self.bots[team]

    async def _authorize(
        self, enterprise_id: str | None, team_id: str | None
    ) -> AuthorizeResult | None:
        """The bot token for the request's workspace (config's, or its installation's).
        Never waits on Slack: an unknown bot identity is looked up in the background while
        this request goes on without it."""
        team = team_id or ""
        token = await self.api.token(team)
        if token is None:
            log.warning("request from Slack workspace %s refused: not installed", team_id)
            return None
        known = self.bots.get(team)
        if known is not None and known.bot_token != token:  # reinstalled elsewhere
            self.bots.pop(team, None)
            known = None
        if known is None:
            self._identify_soon(team)
        return known or AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=token
        )

    def _identify_soon(self, team: str) -> None:
        if team not in self.bots and team not in self._identifying:
            task = asyncio.create_task(self._identify(team))
            self._identifying[team] = task
            task.add_done_callback(lambda _: self._identifying.pop(team, None))

    def http_routes(self) -> Sequence[HttpRoute]:
        """In HTTP mode Slack posts its requests to `/slack/events`; with OAuth installs,
        admins install warroom through `/slack/install` (in Socket Mode too)."""
        installs = oauth_routes(self.install_flow) if self.install_flow else ()
        if self.settings.mode != "http":
            return installs
        return (*installs, events_route(self.bolt, self.settings.signing_secret))

    def health(self) -> Health:
        if self.settings.mode == "socket" and not self.socket_mode.connected:
            return Health(ok=False, details={"mode": "socket", "connected": False})
        return Health(ok=True, details={"mode": self.settings.mode})

    def _org_choices(self, org_id: str) -> Sequence[tuple[str, str]]:
        return self.settings.modal_orgs.get(org_id, ())

    # the port

    async def create_room(self, spec: RoomSpec) -> RoomRef:
        key = (spec.workspace, spec.incident_key or spec.name, spec.org)
        channel = self._rooms.get(key)  # created before a failed invite: do not make another
        if channel is None:
            channel = await channels.create_channel(self.api, spec.workspace, spec.name)
            self._rooms[key] = channel
        room = RoomRef(PLATFORM, spec.workspace, channel)
        await channels.invite(self.api, spec.workspace, channel, spec.invitees)
        if spec.topic:
            await self.set_topic(room, spec.topic)
        self._rooms.pop(key, None)
        return room

    async def invite(self, room: RoomRef, users: Sequence[UserRef]) -> None:
        await channels.invite(self.api, room.workspace, room.room_id, users)

    async def post(self, room: RoomRef, message: Message) -> MessageRef:
        text, blocks = render(message, self._room_language(room))
        args: dict[str, Any] = {
            "channel": room.room_id,
            "text": text,
            "blocks": blocks,
            "unfurl_links": False,
        }
        if message.reply_to:
            args["thread_ts"] = message.reply_to
        if message.attachment is not None:  # read back from the channel's history by tools
            args["metadata"] = {
                "event_type": f"warroom_{message.attachment.kind}",
                "event_payload": json.loads(message.attachment.data),
            }
        try:
            response = await self.api.call(room.workspace, "chat_postMessage", **args)
        except SlackCallError as exc:
            if exc.error != "not_in_channel":
                raise
            await self.api.call(room.workspace, "conversations_join", channel=room.room_id)
            response = await self.api.call(room.workspace, "chat_postMessage", **args)
        return MessageRef(room, str(response["ts"]))

    async def edit(self, ref: MessageRef, message: Message) -> None:
        text, blocks = render(message, self._room_language(ref.room))
        room = ref.room
        await self.api.call(
            room.workspace,
            "chat_update",
            channel=room.room_id,
            ts=ref.message_id,
            text=text,
            blocks=blocks,
        )

    async def delete(self, ref: MessageRef) -> None:
        try:
            await self.api.call(
                ref.room.workspace, "chat_delete", channel=ref.room.room_id, ts=ref.message_id
            )
        except SlackCallError as exc:
            if exc.error != "message_not_found":  # already gone: what we wanted
                raise

    async def notify(self, user: UserRef, room: RoomRef, message: Message) -> None:
        """Only `user` sees it: the command's response_url, else an ephemeral message, else
        a direct message when the bot cannot speak in that channel."""
        text, blocks = render(message, self.inbound.language_of(self.inbound.org_of(user) or ""))
        url = self.replies.take(room.workspace, room.room_id, user.user_id)
        if url is not None:
            webhook = AsyncWebhookClient(
                url, session=self.api.session, retry_handlers=retry_handlers()
            )
            try:
                sent = await webhook.send(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
                if sent.status_code == 200:
                    return
                log.info("response_url answered %s; falling back", sent.status_code)
            except Exception as exc:
                log.info("response_url failed (%s); falling back", exc)
        args = {"text": text, "blocks": blocks}
        try:
            await self.api.call(
                room.workspace,
                "chat_postEphemeral",
                channel=room.room_id,
                user=user.user_id,
                **args,
            )
        except SlackCallError as exc:
            if exc.error not in GONE:
                raise
            await self.api.call(room.workspace, "chat_postMessage", channel=user.user_id, **args)

    async def rename(self, room: RoomRef, spec: RoomSpec) -> None:
        """Slack channel names are unique in a workspace: a taken one keeps the old name."""
        try:
            await self.api.call(
                room.workspace, "conversations_rename", channel=room.room_id, name=spec.name
            )
        except AdapterError as exc:
            if exc.retryable:
                raise
            log.warning("could not rename %s to %s: %s", room.room_id, spec.name, exc)

    async def set_topic(self, room: RoomRef, topic: str) -> None:
        text = escape(topic)
        if len(text) > TOPIC_LIMIT:
            text = text[: TOPIC_LIMIT - 1] + "…"
        await self.api.call(
            room.workspace, "conversations_setTopic", channel=room.room_id, topic=text
        )

    async def pin(self, room: RoomRef, ref: MessageRef) -> None:
        try:
            await self.api.call(
                room.workspace, "pins_add", channel=room.room_id, timestamp=ref.message_id
            )
        except SlackCallError as exc:
            if exc.error != "already_pinned":
                raise

    async def archive(self, room: RoomRef) -> None:
        try:
            await self.api.call(room.workspace, "conversations_archive", channel=room.room_id)
        except SlackCallError as exc:
            if exc.error != "already_archived":
                raise

    def _room_language(self, room: RoomRef) -> Language:
        """The language of the org whose workspace the room is in."""
        org = self.inbound.org_of(UserRef(PLATFORM, room.workspace, "", ""))
        return self.inbound.language_of(org or "")

    def parse_user(self, token: str, *, workspace: str) -> UserRef | None:
        """`<@U123>` or `<@U123|bob>`, as Slack escapes a mention in a command."""
        match = MENTION.match(token.strip())
        if match is None:
            return None
        return UserRef(PLATFORM, workspace, match.group(1), match.group(2) or "")

    async def idle(self) -> None:
        """Wait for the work of acknowledged requests, pending identity look-ups and catching
        up."""
        await asyncio.gather(*self._identifying.values(), return_exceptions=True)
        if self.catch_up is not None:
            await self.catch_up.idle()
        await self.inbound.idle()
