"""What the bot must remember across restarts, kept in warroom's database: the sync token
(so old events are not replayed) and the device id (so no new device appears each time)."""

from __future__ import annotations

from warroom.storage.store import Store


class BotMemory:
    def __init__(self, store: Store, user_id: str) -> None:
        self.store = store
        self.prefix = f"matrix:{user_id}:"

    async def get(self, name: str) -> str | None:
        key = self.prefix + name
        return await self.store.transaction(lambda uow: uow.state.get(key))

    async def set(self, name: str, value: str) -> None:
        key = self.prefix + name
        await self.store.transaction(lambda uow: uow.state.set(key, value))

    async def sync_token(self) -> str | None:
        return await self.get("sync_token")

    async def save_sync_token(self, token: str) -> None:
        await self.set("sync_token", token)

    async def device_id(self) -> str | None:
        return await self.get("device_id")

    async def save_device_id(self, device_id: str) -> None:
        await self.set("device_id", device_id)
