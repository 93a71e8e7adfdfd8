"""An asyncpg pool in a service, tested with FakePool: acquire, shortcuts, limits, leaks, one shared script.

The service creates its pool with ``asyncpg.create_pool``; the test hands it
``FakePool().create_pool`` instead (the same thing ``monkeypatch.setattr`` would do).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from asyncfakes.asyncpg import FakePool, error_class


class OrderService:
    """The code under test: asyncpg pool code, with the pool factory injected."""

    def __init__(self, create_pool: Callable[..., Any], dsn: str) -> None:
        self._create_pool = create_pool
        self._dsn = dsn
        self.pool: Any = None

    async def start(self) -> None:
        self.pool = await self._create_pool(self._dsn, min_size=1, max_size=2)

    async def count(self) -> int:
        total: int = await self.pool.fetchval("SELECT count(*) FROM orders")
        return total

    async def place(self, customer: int, items: list[tuple[str, int]]) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            order_id: int = await conn.fetchval(
                "INSERT INTO orders (customer) VALUES ($1) RETURNING id", customer
            )
            await conn.executemany(
                "INSERT INTO order_items (order_id, sku, qty) VALUES ($1, $2, $3)",
                [(order_id, sku, qty) for sku, qty in items],
            )
        return order_id

    async def leaky_report(self) -> list[Any]:
        conn = await self.pool.acquire()  # bug: never released
        rows: list[Any] = await conn.fetch("SELECT * FROM orders")
        return rows

    async def stop(self, grace: float = 10.0) -> None:
        try:  # close() waits until every acquired connection is released, as asyncpg's does
            await asyncio.wait_for(self.pool.close(), grace)
        except asyncio.TimeoutError:
            self.pool.terminate()  # a connection was never released: stop anyway


async def main() -> None:
    pool = FakePool()
    service = OrderService(pool.create_pool, "postgresql://db/shop")
    await service.start()
    assert pool.create_args == {"dsn": "postgresql://db/shop", "min_size": 1, "max_size": 2}

    # Every connection the pool hands out answers from, and records into, pool.connection.
    pool.connection.fetchval.returns(41)
    assert await service.count() == 41

    pool.connection.fetchval.returns_once(100).returns_once(101)
    placed = await asyncio.gather(service.place(7, [("apple", 2)]), service.place(8, [("pear", 1)]))
    assert list(placed) == [100, 101]
    assert [tx.state for tx in pool.connection.transactions] == ["committed", "committed"]
    assert pool.connection.executemany.calls.params == [[(100, "apple", 2)], [(101, "pear", 1)]]

    # max_size=2: with both connections out, a third acquire waits, then times out as asyncpg's.
    first, second = await pool.acquire(), await pool.acquire()
    try:
        await pool.acquire(timeout=0.01)
    except asyncio.TimeoutError:
        pass
    else:
        raise AssertionError("expected asyncio.TimeoutError")
    await pool.release(first)
    await pool.release(second)

    # A released connection is unusable, as asyncpg's pool proxy is.
    try:
        await first.fetch("SELECT 1")
    except error_class("InterfaceError") as error:
        assert "released back to the pool" in str(error)
    else:
        raise AssertionError("expected InterfaceError")

    # A connection that is never released is caught by verify().
    await service.leaky_report()
    problems = pool.problems()
    assert len(problems) == 1 and "never released" in problems[0], problems

    # ...and it makes a graceful close() wait, so stop() times out and terminates the pool.
    await service.stop(grace=0.01)
    assert pool.is_closing()


if __name__ == "__main__":
    asyncio.run(main())
