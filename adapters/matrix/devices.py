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

from warroom.bot.domain.messages import Message

log = logging.getLogger(__name__)
ADMIN_WORD = "!warroom"
USAGE = (
    "usage: !warroom devices [@user] | !warroom verify @user DEVICE [FINGERPRINT] | "
    "!warroom blacklist @user DEVICE"
)


def is_admin_command(body: str) -> bool:
    return body.strip().split(" ", 1)[0] == ADMIN_WORD


def fingerprint(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def trust(device: OlmDevice) -> str:
    if device.blacklisted:
        return "blacklisted"
    if device.verified:
        return "verified"
    if device.ignored:
        return "ignored"
    return "trusted on first use"


class DeviceAdmin:
    def __init__(self, client: AsyncClient, admins: Iterable[str]) -> None:
        self.client = client
        self.admins = set(admins)

    def answer(self, room_id: str, sender: str, body: str) -> Message:
        """What to say to a `!warroom ...` command; changes trust when asked to."""
        if sender not in self.admins:
            return Message(body="⚠ not allowed: only the bot's admins manage its devices")
        try:
            words = shlex.split(body)[1:]
        except ValueError:
            words = []
        if not self.client.olm:
            return Message(body="⚠ end-to-end encryption is not running")
        if words and words[0] == "devices" and len(words) <= 2:
            users = words[1:] or sorted(self._members(room_id))
            return self._listing(users)
        if len(words) in (3, 4) and words[0] in ("verify", "blacklist"):
            return self._mark(words[0], words[1], words[2], words[3:])
        return Message(body=f"⚠ {USAGE}")

    def _members(self, room_id: str) -> set[str]:
        room = self.client.rooms.get(room_id)
        return set(room.users) if room else set()

    def _listing(self, users: Iterable[str]) -> Message:
        lines = []
        for user in users:
            for device in self.client.device_store.active_user_devices(user):
                lines.append(
                    f"{user} {device.id} ({device.display_name or '-'}): "
                    f"{fingerprint(device.ed25519)} · {trust(device)}"
                )
        assert self.client.olm is not None
        key = self.client.olm.account.identity_keys["ed25519"]
        own = f"this bot: {self.client.device_id} {fingerprint(key)}"
        return Message(title="Devices", body="\n".join([own, *lines]))

    def _mark(self, action: str, user: str, device_id: str, expected: list[str]) -> Message:
        device = self.client.device_store[user].get(device_id)
        if device is None:
            return Message(body=f"⚠ no device {device_id} of {user} is known")
        if expected and "".join(expected).replace(" ", "") != device.ed25519:
            return Message(body=f"⚠ fingerprint mismatch for {device_id}: not verified")
        if action == "verify":
            self.client.verify_device(device)
        else:
            self.client.blacklist_device(device)
        log.warning("device %s of %s marked %s by an admin", device_id, user, trust(device))
        return Message(body=f"{user} {device_id} is now {trust(device)}")
