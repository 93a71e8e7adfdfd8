"""The code under test: a repository on an asyncpg connection, and a service that makes its own pool."""

# asyncpg ships no type information: pyright infers its functions from source, partially unknown.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false

from __future__ import annotations

from typing import Any

import asyncpg


class OrderRepository:
    """Reads and writes orders on one connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def total(self, customer_id: int) -> int:
        total: int | None = await self.conn.fetchval(
            "SELECT sum(amount) FROM orders WHERE customer_id = $1", customer_id
        )
        return total or 0

    async def place(self, customer_id: int, amount: int) -> int:
        async with self.conn.transaction():
            order_id: int = await self.conn.fetchval(
                "INSERT INTO orders (customer_id, amount) VALUES ($1, $2) RETURNING id", customer_id, amount
            )
            await self.conn.execute("UPDATE customers SET orders = orders + 1 WHERE id = $1", customer_id)
        return order_id


async def count_orders(dsn: str) -> int:
    """Creates its own pool, as services often do at start-up."""
    async with asyncpg.create_pool(dsn, min_size=1, max_size=2) as pool:
        count: int = await pool.fetchval("SELECT count(*) FROM orders")
        return count
