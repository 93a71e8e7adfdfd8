"""The same tests on trio, run with ``trio.run``: asyncfakes finds the running library itself.

The cancellation-cleanup test of ``08_cancellation_cleanup.py`` with a nursery instead of a task,
and the flaky-query retry of ``04_timeouts_and_retries.py`` with ``trio.move_on_after``.
"""

from __future__ import annotations

from typing import Any

import trio

from asyncfakes import FakeConnection

DEBIT = "UPDATE accounts SET balance = balance - $1 WHERE id = $2"
CREDIT = "UPDATE accounts SET balance = balance + $1 WHERE id = $2"


async def transfer(conn: Any, source: int, target: int, amount: int) -> None:
    async with conn.transaction():
        await conn.execute(DEBIT, [amount, source])
        await conn.execute(CREDIT, [amount, target])


async def name_of(conn: Any, user_id: int, *, timeout: float, attempts: int = 3) -> str:
    for _ in range(attempts):
        with trio.move_on_after(timeout):
            name: str = await conn.fetch_val("SELECT name FROM users WHERE id = $1", [user_id])
            return name
    raise trio.TooSlowError


async def cancelled_while_in_flight() -> None:
    conn = FakeConnection()
    gate = conn.execute.when(sql=CREDIT).gate()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(transfer, conn, 1, 2, 100)
        await gate.started()  # the debit ran; the credit is in flight now
        nursery.cancel_scope.cancel()

    tx = conn.transactions[0]
    tx.assert_rolled_back()
    assert ["BEGIN", DEBIT, CREDIT, "ROLLBACK"] == tx.calls.sql
    assert ["returned", "returned", "cancelled", "returned"] == [c.outcome for c in tx.calls]


async def retry_succeeds_after_a_hang() -> None:
    conn = FakeConnection()
    conn.fetch_val.hangs_once().returns("Ana")

    assert "Ana" == await name_of(conn, 7, timeout=0.01)

    assert ["cancelled", "returned"] == [call.outcome for call in conn.fetch_val.calls]
    conn.verify()


async def main() -> None:
    await cancelled_while_in_flight()
    await retry_succeeds_after_a_hang()


if __name__ == "__main__":
    trio.run(main)
