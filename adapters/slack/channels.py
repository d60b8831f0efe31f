"""War-room channels: names Slack accepts, a suffix when one is taken, invitations."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from warroom.adapters.slack.api import SlackApi, SlackCallError
from warroom.bot.domain.events import UserRef
from warroom.bot.domain.port import AdapterError

log = logging.getLogger(__name__)

NAME_LIMIT = 80
MAX_SUFFIX = 50
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")
# Invite errors about one person that should not stop the room from being set up.
PERSON_ERRORS = frozenset(
    {
        "already_in_channel",
        "cant_invite_self",
        "user_not_found",
        "cant_invite",
        "user_is_restricted",
        "user_is_ultra_restricted",
        "ura_max_channels",
        "user_is_inactive",
    }
)


def channel_name(hint: str) -> str:
    """A name Slack accepts: lowercase letters, digits, `-` and `_`, at most 80 characters."""
    name = _NOT_ALLOWED.sub("-", hint.lower()).strip("-_")
    name = re.sub(r"-{2,}", "-", name)[:NAME_LIMIT].rstrip("-_")
    return name or "incident"


def with_suffix(name: str, n: int) -> str:
    suffix = f"-{n}"
    return name[: NAME_LIMIT - len(suffix)].rstrip("-_") + suffix


async def create_channel(api: SlackApi, team: str, hint: str) -> str:
    """Create a private channel named from `hint` (`-2`, `-3`... when taken); its id."""
    base = channel_name(hint)
    for n in range(1, MAX_SUFFIX + 1):
        name = base if n == 1 else with_suffix(base, n)
        try:
            response = await api.call(team, "conversations_create", name=name, is_private=True)
        except SlackCallError as exc:
            if exc.error == "name_taken":
                log.info("channel #%s is taken in %s; trying another name", name, team)
                continue
            raise
        channel_id: str = response["channel"]["id"]
        log.info("created channel #%s (%s) in %s", name, channel_id, team)
        return channel_id
    raise AdapterError(f"no free channel name for {base!r} in {team}", retryable=False)


async def invite(api: SlackApi, team: str, channel: str, users: Sequence[UserRef]) -> None:
    """Invite each person; one who cannot be invited is logged and skipped."""
    ids = sorted({u.user_id for u in users if u.platform == "slack" and u.workspace == team})
    for user_id in ids:
        try:
            await api.call(team, "conversations_invite", channel=channel, users=user_id)
        except SlackCallError as exc:
            if exc.error not in PERSON_ERRORS:
                raise
            if exc.error not in ("already_in_channel", "cant_invite_self"):
                log.warning("could not invite %s to %s: %s", user_id, channel, exc.error)
