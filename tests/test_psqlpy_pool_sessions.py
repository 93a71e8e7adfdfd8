"""asyncfakes.psqlpy FakeConnectionPool: a transaction dropped with its connection, and the session it leaves.

psqlpy frees a pooled connection the code dropped even inside an unfinished transaction, and the
next user of that server connection runs in the transaction (measured in
tests/contract/test_psqlpy_contract_pool_sessions.py). The fake's records keep the transaction
for the test, without keeping the connection's slot busy.
"""

from __future__ import annotations

import gc

import anyio
import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.psqlpy import FakeConnection, FakeConnectionPool, FakeTransaction, postgres_error
from asyncfakes.psqlpy import exceptions as exc

pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]  # the leaks are the point

MISSING = "SELECT * FROM missing"
ABORTED = "current transaction is aborted"


def counts(pool: FakeConnectionPool) -> tuple[int, int, int, int]:
    """The four numbers of pool.status()."""
    status = pool.status()
    return status.max_size, status.size, status.available, status.waiting


def failing_pool(size: int = 2) -> FakeConnectionPool:
    """A pool whose script fails the query on a missing table, as PostgreSQL does."""
    pool = FakeConnectionPool(size)
    pool.script.execute.when(sql=MISSING).raises(
        postgres_error('relation "missing" does not exist', at="prepare")
    )
    return pool


async def begun_and_dropped(pool: FakeConnectionPool, *, fail: bool = False) -> None:
    """A DAO that begins a transaction and drops it with its connection, unfinished."""
    conn = await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    await transaction.execute("SELECT 1")
    if fail:
        with pytest.raises(exc.DatabaseError):
            await transaction.execute(MISSING)


def report_of(pool: FakeConnectionPool) -> str:
    """What pool.verify() reports."""
    with pytest.raises(ExpectationsNotMet) as found:
        pool.verify()
    return str(found.value)


async def test_a_transaction_dropped_with_its_connection_frees_the_slot_and_stays_recorded() -> None:
    """The slot comes back; the history and conn.transactions keep the transaction, verify() says why."""
    pool = FakeConnectionPool(2)
    await begun_and_dropped(pool)

    assert (2, 1, 1, 0) == counts(pool)
    [conn] = pool.connections
    [transaction] = conn.transactions
    assert [transaction, transaction] == [call.transaction for call in pool.calls]
    assert ("active", True, conn) == (transaction.state, conn.closed, transaction.connection)
    report = report_of(pool)
    assert "connection #0: transaction #0 was begun and never committed or rolled back, and its" in report
    assert "was never committed or rolled back." not in report


async def test_a_transaction_held_keeps_the_connection_it_runs_on() -> None:
    """Held by the code, the transaction keeps its dropped connection (and slot) until it ends."""
    pool = FakeConnectionPool(2)
    conn = await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    del conn
    gc.collect()
    held = counts(pool)
    await transaction.execute("SELECT 1")
    await transaction.commit()

    assert ((2, 1, 0, 0), (2, 1, 1, 0)) == (held, counts(pool))
    pool.verify()


async def test_a_connection_held_outlives_a_transaction_the_code_dropped_before_it_began() -> None:
    """Dropped alone, the transaction lets go of the connection; found again, it still runs on it."""
    pool = FakeConnectionPool(2)
    conn = await pool.connection()
    conn.transaction()
    held = counts(pool)
    [transaction] = conn.transactions
    assert "connection" not in vars(transaction)
    async with transaction:
        await transaction.execute("SELECT 1")
    conn.close()

    assert ((2, 1, 0, 0), (2, 1, 1, 0)) == (held, counts(pool))
    assert conn is transaction.connection
    pool.verify()


async def test_transactions_begun_inside_one_are_freed_with_it() -> None:
    """A second begin() nests in the fake: both transactions, and one committed inside, let go."""
    pool = FakeConnectionPool(2)

    async def nested(commit_inner: bool) -> None:
        conn = await pool.connection()
        outer, inner = conn.transaction(), conn.transaction()
        await outer.begin()
        await inner.begin()
        if commit_inner:
            await inner.commit()

    await nested(commit_inner=False)
    await nested(commit_inner=True)

    assert (2, 1, 1, 0) == counts(pool)
    outer, inner, second_outer, second_inner = pool.script.transactions
    assert (outer, second_outer) == (inner.parent, second_inner.parent)
    assert ["active", "active", "active", "committed"] == [tx.state for tx in pool.script.transactions]
    assert isinstance(outer, FakeTransaction)


async def test_the_next_user_runs_in_the_aborted_transaction_left_open() -> None:
    """Every statement fails until a rollback; a refused begin() still sets psqlpy's flag."""
    pool = failing_pool()
    await begun_and_dropped(pool, fail=True)
    conn = await pool.connection()
    with pytest.raises(exc.ConnectionExecuteError, match=ABORTED):
        await conn.execute("SELECT 1")
    transaction = conn.transaction()
    with pytest.raises(exc.TransactionBeginError, match=ABORTED):
        await transaction.begin()
    flagged = await conn.in_transaction()
    await transaction.rollback()
    await conn.execute("SELECT 1")

    assert (True, False) == (flagged, await conn.in_transaction())
    conn.close()


async def test_a_transaction_begun_on_an_inherited_one_is_noted_and_ends_it() -> None:
    """The begin() joins the transaction left open (noted); after its commit the session is clean."""
    pool = FakeConnectionPool(2)
    await begun_and_dropped(pool)
    async with pool.acquire() as conn:
        async with conn.transaction() as transaction:
            await transaction.execute("SELECT 2")
        async with conn.transaction():
            await conn.transaction().begin()  # nested after the inherited one ended: the usual note

    report = report_of(pool)
    assert "transaction #1 began on a connection the pool handed out still inside a transaction" in report
    assert "transaction #3 began while a transaction was already in progress" in report


async def test_a_connection_closed_inside_a_transaction_leaves_it_to_the_next_user() -> None:
    """close() resets nothing either: the server connection goes back inside the transaction."""
    pool = failing_pool()
    conn = await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    with pytest.raises(exc.DatabaseError):
        await transaction.execute(MISSING)
    conn.close()

    async with pool.acquire() as again:
        with pytest.raises(exc.ConnectionExecuteError, match=ABORTED):
            await again.execute("SELECT 1")
    assert "was never committed or rolled back." in report_of(pool)


async def test_a_blocked_acquisition_gets_the_session_of_the_connection_dropped_meanwhile() -> None:
    """The waiter is handed the freed server connection, still in the aborted transaction."""
    pool = failing_pool()
    other, conn = await pool.connection(), await pool.connection()
    transaction = conn.transaction()
    await transaction.begin()
    with pytest.raises(exc.DatabaseError):
        await transaction.execute(MISSING)
    served: list[FakeConnection] = []

    async def waiter() -> None:
        served.append(await pool.connection())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(waiter)
        await pool.until_blocked()
        del conn, transaction  # collected when the waiter looks again
    with pytest.raises(exc.ConnectionExecuteError, match=ABORTED):
        await served[0].execute("SELECT 1")
    other.close()


async def test_a_smaller_pool_closes_its_oldest_idle_connections_first() -> None:
    """resize() down drops the idle connections given back first: a session left aborted goes with them."""
    pool = failing_pool(3)
    first = await pool.connection()
    second, third = await pool.connection(), await pool.connection()
    await first.transaction().begin()
    with pytest.raises(exc.ConnectionExecuteError, match="missing"):
        await first.execute(MISSING)
    first.close()
    second.close()
    third.close()
    pool.resize(2)

    taken = [await pool.connection(), await pool.connection()]
    for conn in taken:
        await conn.execute("SELECT 1")  # neither runs in the aborted transaction
        conn.close()
    assert (2, 2, 2, 0) == counts(pool)


async def test_a_connection_dropped_with_a_transaction_is_reused_before_the_pool_opens_another() -> None:
    """Made and dropped with its connection, a transaction never begun lets the pool reuse it (own scripts too)."""
    for shared in (True, False):
        pool = FakeConnectionPool(2, shared=shared)
        conn = await pool.connection()
        conn.transaction()
        del conn
        again = await pool.connection()

        assert (2, 1, 0, 0) == counts(pool)
        again.close()
        assert "was created but never started" in report_of(pool)
