"""Device trust for end-to-end encryption: trust on first use, and `!warroom` commands for
the admins named in config to list, verify and blacklist devices.

A device's signing key is pinned the first time the bot sees it (matrix-nio ignores a later
change of key for the same device id); messages are encrypted to every device that is not
blacklisted. An admin can compare fingerprints out of band and mark devices verified, or
blacklist a device so it never receives another room key.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Iterable

from nio import AsyncClient
from nio.crypto import OlmDevice

from warroom.bot.domain.language import ENGLISH, N_, Language
from warroom.bot.domain.messages import Message

log = logging.getLogger(__name__)
ADMIN_WORD = "!warroom"
USAGE = (  # typed the same in every language
    "!warroom devices [@user] | !warroom verify @user DEVICE [FINGERPRINT] | "
    "!warroom blacklist @user DEVICE"
)


def is_admin_command(body: str) -> bool:
    return body.strip().split(" ", 1)[0] == ADMIN_WORD


def fingerprint(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def trust(device: OlmDevice) -> str:
    """The device's trust in English (the log's); `lang.gettext` says it to a reader."""
    if device.blacklisted:
        return N_("blacklisted")
    if device.verified:
        return N_("verified")
    if device.ignored:
        return N_("ignored")
    return N_("trusted on first use")


class DeviceAdmin:
    def __init__(
        self, client: AsyncClient, admins: Iterable[str], *, lang: Language = ENGLISH
    ) -> None:
        self.client = client
        self.admins = set(admins)
        self.lang = lang  # the language of the admin's organisation

    def answer(self, room_id: str, sender: str, body: str) -> Message:
        """What to say to a `!warroom ...` command; changes trust when asked to."""
        say = self.lang
        if sender not in self.admins:
            return Message(
                body=say.gettext("⚠ not allowed: only the bot's admins manage its devices")
            )
        try:
            words = shlex.split(body)[1:]
        except ValueError:
            words = []
        if not self.client.olm:
            return Message(body=say.gettext("⚠ end-to-end encryption is not running"))
        if words and words[0] == "devices" and len(words) <= 2:
            users = words[1:] or sorted(self._members(room_id))
            return self._listing(users)
        if len(words) in (3, 4) and words[0] in ("verify", "blacklist"):
            return self._mark(words[0], words[1], words[2], words[3:])
        return Message(body=say.format("⚠ usage: {usage}", usage=USAGE))

    def _members(self, room_id: str) -> set[str]:
        room = self.client.rooms.get(room_id)
        return set(room.users) if room else set()

    def _listing(self, users: Iterable[str]) -> Message:
        lines = []
        for user in users:
            for device in self.client.device_store.active_user_devices(user):
                lines.append(
                    f"{user} {device.id} ({device.display_name or '-'}): "
                    f"{fingerprint(device.ed25519)} · {self.lang.gettext(trust(device))}"
                )
        assert self.client.olm is not None
        key = self.client.olm.account.identity_keys["ed25519"]
        own = self.lang.format(
            "this bot: {device} {fingerprint}",
            device=self.client.device_id,
            fingerprint=fingerprint(key),
        )
        return Message(title=self.lang.gettext("Devices"), body="\n".join([own, *lines]))

    def _mark(self, action: str, user: str, device_id: str, expected: list[str]) -> Message:
        say = self.lang
        device = self.client.device_store[user].get(device_id)
        if device is None:
            found = say.format(
                "⚠ no device {device} of {user} is known", device=device_id, user=user
            )
            return Message(body=found)
        if expected and "".join(expected).replace(" ", "") != device.ed25519:
            mismatch = say.format(
                "⚠ fingerprint mismatch for {device}: not verified", device=device_id
            )
            return Message(body=mismatch)
        if action == "verify":
            self.client.verify_device(device)
        else:
            self.client.blacklist_device(device)
        log.warning("device %s of %s marked %s by an admin", device_id, user, trust(device))
        now = say.format(
            "{user} {device} is now {trust}",
            user=user,
            device=device_id,
            trust=say.gettext(trust(device)),
        )
        return Message(body=now)
