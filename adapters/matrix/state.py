"""What the bot must remember across restarts, kept in warroom's database: the sync token
(so old events are not replayed) and the device id (so no new device appears each time)."""

from __future__ import annotations

from warroom.bot.domain.port import AdapterMemory


class BotMemory:
    def __init__(self, memory: AdapterMemory, user_id: str) -> None:
        self.memory = memory
        self.prefix = f"matrix:{user_id}:"

    async def get(self, name: str) -> str | None:
        return await self.memory.get(self.prefix + name)

    async def set(self, name: str, value: str) -> None:
        await self.memory.set(self.prefix + name, value)

    async def sync_token(self) -> str | None:
        return await self.get("sync_token")

    async def save_sync_token(self, token: str) -> None:
        await self.set("sync_token", token)

    async def device_id(self) -> str | None:
        return await self.get("device_id")

    async def save_device_id(self, device_id: str) -> None:
        await self.set("device_id", device_id)
