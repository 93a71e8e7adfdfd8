"""Tests as plain async functions run by asyncio.run: no test runner, no plugin, no event-loop fixture."""

from __future__ import annotations

import asyncio
from typing import Any

from asyncfakes import Contains, FakeConnection


async def archive_old_orders(conn: Any, days: int) -> int:
    async with conn.transaction():
        moved = await conn.execute("INSERT INTO orders_archive SELECT * FROM orders WHERE age > $1", [days])
        await conn.execute("DELETE FROM orders WHERE age > $1", [days])
    count: int = moved.rowcount
    return count


async def test_archives_then_deletes() -> None:
    conn = FakeConnection()
    conn.execute.when(sql=Contains("INSERT INTO orders_archive")).returns([{}, {}, {}])
    assert await archive_old_orders(conn, 30) == 3
    assert conn.calls.filter(method="execute").sql == [
        "INSERT INTO orders_archive SELECT * FROM orders WHERE age > $1",
        "DELETE FROM orders WHERE age > $1",
    ]
    conn.transactions[0].assert_committed()


async def test_failed_delete_rolls_back() -> None:
    conn = FakeConnection()
    conn.execute.when(sql=Contains("DELETE FROM orders")).raises(PermissionError)
    try:
        await archive_old_orders(conn, 30)
    except PermissionError:
        pass
    conn.transactions[0].assert_rolled_back()


async def main() -> None:
    for test in (test_archives_then_deletes, test_failed_delete_rolls_back):
        await test()


if __name__ == "__main__":
    asyncio.run(main())
