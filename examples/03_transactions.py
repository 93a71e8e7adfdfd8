"""Transactions: commit, rollback on error, savepoints, and a commit scripted to fail."""

from __future__ import annotations

import asyncio
from typing import Any

from asyncfakes import FakeConnection


class SerializationFailure(Exception):
    pass


async def transfer(conn: Any, source: int, target: int, amount: int) -> None:
    async with conn.transaction():
        await conn.execute("UPDATE accounts SET balance = balance - $1 WHERE id = $2", [amount, source])
        await conn.execute("UPDATE accounts SET balance = balance + $1 WHERE id = $2", [amount, target])


async def transfer_with_retry(conn: Any, source: int, target: int, amount: int) -> int:
    for attempt in range(1, 4):
        try:
            await transfer(conn, source, target, amount)
        except SerializationFailure:
            continue
        return attempt
    raise RuntimeError("gave up")


async def main() -> None:
    conn = FakeConnection()
    await transfer(conn, 1, 2, 50)
    tx = conn.transactions[0]
    tx.assert_committed()
    assert conn.calls.sql[0] == "BEGIN" and conn.calls.sql[-1] == "COMMIT"
    assert len(tx.calls.filter(method="execute")) == 2

    # A failing statement rolls the transaction back.
    conn = FakeConnection()
    conn.execute.returns_once(None).raises_once(ValueError("constraint"))
    try:
        await transfer(conn, 1, 2, 50)
    except ValueError:
        pass
    conn.transactions[0].assert_rolled_back()

    # A commit scripted to fail once: the retry loop tries again.
    conn = FakeConnection()
    conn.when(sql="COMMIT").raises_once(SerializationFailure)
    assert await transfer_with_retry(conn, 1, 2, 50) == 2
    first, second = conn.transactions
    assert (first.state, second.state) == ("failed", "committed")

    # Nested transactions are savepoints: the inner one rolls back alone.
    conn = FakeConnection()
    async with conn.transaction() as outer:
        try:
            async with conn.transaction():
                raise KeyError("inner problem")
        except KeyError:
            pass
    outer.assert_committed()
    assert "ROLLBACK TO SAVEPOINT asyncfakes_sp_1" in conn.calls.sql


if __name__ == "__main__":
    asyncio.run(main())
