"""Cancellation cleanup, checked through the transaction's state.

A gate holds the second statement of a transfer "in flight"; the test cancels the task right
there, with no sleeps, and checks that the transaction ended rolled back. A timeout around a
hanging statement gives the same cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from asyncfakes import FakeConnection

DEBIT = "UPDATE accounts SET balance = balance - $1 WHERE id = $2"
CREDIT = "UPDATE accounts SET balance = balance + $1 WHERE id = $2"


async def transfer(conn: Any, source: int, target: int, amount: int) -> None:
    async with conn.transaction():
        await conn.execute(DEBIT, [amount, source])
        await conn.execute(CREDIT, [amount, target])


async def cancelled_while_in_flight() -> None:
    conn = FakeConnection()
    gate = conn.execute.when(sql=CREDIT).gate()

    task = asyncio.create_task(transfer(conn, 1, 2, 100))
    call = await gate.started()  # the debit ran; the credit is in flight now
    assert [100, 2] == call.params
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    tx = conn.transactions[0]
    tx.assert_rolled_back()
    assert ["BEGIN", DEBIT, CREDIT, "ROLLBACK"] == tx.calls.sql
    assert ["returned", "returned", "cancelled", "returned"] == [c.outcome for c in tx.calls]


async def timed_out_statement() -> None:
    conn = FakeConnection()
    conn.execute.when(sql=CREDIT).hangs_once()

    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(transfer(conn, 1, 2, 100), 0.01)

    conn.transactions[0].assert_rolled_back()
    assert "cancelled" == conn.calls.filter(sql=CREDIT).one().outcome


async def main() -> None:
    await cancelled_while_in_flight()
    await timed_out_statement()


if __name__ == "__main__":
    asyncio.run(main())
