"""Adapters' memory (the port's `AdapterMemory`) in warroom's database."""

from __future__ import annotations

from warroom.storage.store import Store


class StoredMemory:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, key: str) -> str | None:
        return await self.store.transaction(lambda uow: uow.state.get(key))

    async def set(self, key: str, value: str) -> None:
        await self.store.transaction(lambda uow: uow.state.set(key, value))
