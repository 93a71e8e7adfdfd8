"""The pool's query shortcuts: one connection acquired for one call, as asyncpg's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._acquire import FakePoolAcquireContext
    from ._record import Record

__all__ = ["PoolShortcuts"]


class PoolShortcuts:
    """``execute``, ``executemany``, ``fetch``, ``fetchrow``, ``fetchval``, ``fetchmany`` on a pool."""

    if TYPE_CHECKING:

        def acquire(self, *, timeout: float | None = None) -> FakePoolAcquireContext: ...

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        """``conn.execute`` on a connection acquired for this call."""
        async with self.acquire() as connection:
            return await connection.execute(query, *args, timeout=timeout)

    async def executemany(self, command: str, args: Any, *, timeout: float | None = None) -> None:
        """``conn.executemany`` on a connection acquired for this call."""
        async with self.acquire() as connection:
            await connection.executemany(command, args, timeout=timeout)

    async def fetch(
        self, query: str, *args: Any, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> list[Record]:
        """``conn.fetch`` on a connection acquired for this call."""
        async with self.acquire() as connection:
            return await connection.fetch(query, *args, timeout=timeout, record_class=record_class)

    async def fetchrow(
        self, query: str, *args: Any, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> Record | None:
        """``conn.fetchrow`` on a connection acquired for this call."""
        async with self.acquire() as connection:
            return await connection.fetchrow(query, *args, timeout=timeout, record_class=record_class)

    async def fetchval(
        self, query: str, *args: Any, column: int | str = 0, timeout: float | None = None
    ) -> Any:
        """``conn.fetchval`` on a connection acquired for this call."""
        async with self.acquire() as connection:
            return await connection.fetchval(query, *args, column=column, timeout=timeout)

    async def fetchmany(
        self, query: str, args: Any, *, timeout: float | None = None, record_class: type[Any] | None = None
    ) -> list[Record]:
        """``conn.fetchmany`` on a connection acquired for this call."""
        async with self.acquire() as connection:
            return await connection.fetchmany(query, args, timeout=timeout, record_class=record_class)
