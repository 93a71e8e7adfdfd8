"""asyncfakes.asyncpg: a transaction whose rollback a cancel scope cancelled, as asyncpg leaves it.

Measured against asyncpg in tests/contract/test_asyncpg_contract_cancel.py; here on asyncio and
trio, with what verify() says.
"""

from __future__ import annotations

import anyio
import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.asyncpg import FakeConnection, FakePool, error_class

pytestmark = pytest.mark.anyio

SLOW = "SELECT pg_sleep(5)"


async def cancelled_during_a_statement(conn: FakeConnection) -> None:
    """A cancel scope expires while a statement of the transaction runs, and stays cancelled."""
    conn.execute.when(sql=SLOW).hangs()
    with anyio.move_on_after(0.05):
        async with conn.transaction():
            await conn.execute(SLOW)


async def cancelled_between_statements(conn: FakeConnection) -> None:
    """A cancel scope expires while no statement runs: the ROLLBACK is sent, its answer not read."""
    with anyio.move_on_after(0.05):
        async with conn.transaction():
            await conn.execute("SELECT 1")
            await anyio.sleep(5)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_reports_a_connection_left_in_the_aborted_transaction() -> None:
    """What happened, why it matters and what to write instead, naming the cancelled statement."""
    conn = FakeConnection()
    await cancelled_during_a_statement(conn)

    with pytest.raises(ExpectationsNotMet) as found:
        conn.verify()

    report = str(found.value)
    assert "1. the rollback of transaction #0 was cancelled (a cancel scope" in report
    assert f"after #1 execute('{SLOW}', ()) [in transaction #0] was cancelled, asyncpg never sent" in report
    assert "every statement fails with InFailedSQLTransactionError" in report
    assert "Shield the rollback (`with anyio.CancelScope(shield=True): await tx.rollback()`)" in report
    assert "`async with pool.acquire()`), whose release rolls it back." in report
    assert "never ended" not in report


async def test_a_rollback_executed_by_hand_clears_the_aborted_transaction() -> None:
    """`execute("ROLLBACK")` ends it: statements run again and verify() is satisfied."""
    conn = FakeConnection()
    conn.fetchval.returns(1)
    await cancelled_during_a_statement(conn)
    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await conn.fetchval("SELECT 1")

    await conn.execute("ROLLBACK")

    assert (False, 1) == (conn.is_in_transaction(), await conn.fetchval("SELECT 1"))
    conn.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_reports_a_rollback_cut_off_with_no_statement_after_it() -> None:
    """The server rolled back, but asyncpg still says it is in a transaction until the next statement."""
    conn = FakeConnection()
    await cancelled_between_statements(conn)

    with pytest.raises(ExpectationsNotMet) as found:
        conn.verify()

    report = str(found.value)
    assert (
        "block too), and asyncpg stopped waiting for PostgreSQL's answer: the server rolled back, but "
        "the connection still says is_in_transaction() and refuses conn.transaction() until its next "
        "statement. In production"
    ) in report


async def test_the_next_statement_learns_that_the_rollback_ended_the_transaction() -> None:
    """After a statement the connection is out of any transaction, and verify() is satisfied."""
    conn = FakeConnection()
    await cancelled_between_statements(conn)
    inside = conn.is_in_transaction()

    await conn.execute("SELECT 2")

    assert (True, False) == (inside, conn.is_in_transaction())
    conn.verify()


async def test_a_closed_or_released_connection_is_not_reported() -> None:
    """Closing the connection, or releasing it to its pool (which rolls back), leaves nothing to report."""
    closed = FakeConnection()
    await cancelled_during_a_statement(closed)
    await closed.close()
    pool = await FakePool().create_pool(min_size=1, max_size=1)
    async with pool.acquire() as conn:
        await cancelled_during_a_statement(conn)

    closed.verify()
    pool.verify()


async def test_reconnecting_forgets_the_cut_rollback() -> None:
    """A connection made again by connect() starts with no transaction."""
    conn = FakeConnection()
    await cancelled_between_statements(conn)
    await conn.close()

    await conn.connect("postgresql://app@db/app")

    assert False is conn.is_in_transaction()
    conn.verify()


async def test_a_cancelled_savepoint_rollback_leaves_the_outer_transaction_to_its_block() -> None:
    """Only a top-level rollback leaves the server transaction behind; a savepoint's is the outer's to end."""
    conn = FakeConnection()
    conn.execute.when(sql=SLOW).hangs()
    outer = conn.transaction()
    await outer.start()
    with anyio.move_on_after(0.05):
        async with conn.transaction():
            await conn.execute(SLOW)

    assert True is conn.is_in_transaction()
    await outer.rollback()
    assert False is conn.is_in_transaction()
    conn.verify()
