"""Contract: a cancel scope that cancels a transaction's rollback leaves the connection as asyncpg does.

anyio's cancel scopes (and trio's) stay cancelled: when one expires inside `async with
conn.transaction()`, the rollback that `__aexit__` awaits is cancelled too. asyncpg then forgets
the transaction and leaves the server's: after a statement it had the server cancel, the ROLLBACK
is never sent, and the connection stays in the aborted transaction; when no statement was
running, the ROLLBACK was sent and asyncpg learns that it ended at the next statement. Every
scenario runs on the fake and on real asyncpg against PostgreSQL (see _asyncpg_support).
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest

from asyncfakes.asyncpg import error_class
from tests.contract._asyncpg_support import PoolTarget, Target, anyio_backend, db, pools

__all__ = ["anyio_backend", "db", "pools"]

pytestmark = pytest.mark.anyio

ABORTED = "current transaction is aborted, commands ignored until end of transaction block"
MANUAL = re.escape("cannot use Connection.transaction() in a manually started transaction")
SLOW = "SELECT pg_sleep(5)"


async def cancel_during_a_statement(conn: Any) -> bool:
    """Run SLOW in a transaction inside a cancel scope that expires while it runs."""
    with anyio.move_on_after(0.2) as scope:
        async with conn.transaction():
            await conn.execute(SLOW)
    return scope.cancelled_caught


@pytest.mark.asyncfakes(verify=False)  # verify() reports the cancelled rollback: tested below
async def test_a_rollback_cancelled_after_a_cancelled_statement_leaves_the_transaction_aborted(
    db: Target,
) -> None:
    """The connection stays in the aborted transaction until a ROLLBACK: statements and transaction() fail."""
    if db.fake:
        db.fake.execute.when(sql=SLOW).hangs()

    cancelled = await cancel_during_a_statement(db.conn)
    inside = db.conn.is_in_transaction()
    with pytest.raises(error_class("InFailedSQLTransactionError"), match=ABORTED):
        await db.conn.fetchval("SELECT 1")
    with pytest.raises(error_class("InterfaceError"), match=MANUAL):
        await db.conn.transaction().start()
    still = db.conn.is_in_transaction()
    await db.conn.execute("ROLLBACK")

    assert (True, True, True) == (cancelled, inside, still)
    assert (False, None) == (db.conn.is_in_transaction(), await db.conn.fetchval("SELECT NULL"))


@pytest.mark.asyncfakes(verify=False)  # the transaction start() refused stays new: verify() says so
async def test_a_rollback_cancelled_while_no_statement_ran_ends_the_transaction_at_the_next_statement(
    db: Target,
) -> None:
    """The server rolled back; asyncpg says is_in_transaction() and refuses transaction() until a statement."""
    if db.fake:
        db.fake.fetchval.returns(2)
    with anyio.move_on_after(0.2):
        async with db.conn.transaction():
            await db.conn.execute("SELECT 1")
            await anyio.sleep(5)
    inside = db.conn.is_in_transaction()
    with pytest.raises(error_class("InterfaceError"), match=MANUAL):
        await db.conn.transaction().start()
    value = await db.conn.fetchval("SELECT 2")

    assert (True, 2, False) == (inside, value, db.conn.is_in_transaction())


async def test_a_shielded_rollback_completes_under_a_cancel_scope(db: Target) -> None:
    """Shielding the rollback from the expired scope leaves the connection out of any transaction."""
    if db.fake:
        db.fake.execute.when(sql=SLOW).hangs()
        db.fake.fetchval.returns(3)

    with anyio.move_on_after(0.2):
        transaction = db.conn.transaction()
        await transaction.start()
        try:
            await db.conn.execute(SLOW)
        finally:
            with anyio.CancelScope(shield=True):
                await transaction.rollback()

    assert (False, 3) == (db.conn.is_in_transaction(), await db.conn.fetchval("SELECT 3"))


async def test_the_pools_release_resets_a_connection_whose_rollback_was_cancelled(pools: PoolTarget) -> None:
    """A pooled connection left in the aborted transaction is rolled back when released."""
    pool = await pools.create_pool(min_size=1, max_size=1)
    if pools.fake:
        pools.fake.connection.execute.when(sql=SLOW).hangs()
        pools.fake.connection.fetchval.returns(4)

    async with pool.acquire() as conn:
        await cancel_during_a_statement(conn)
        inside = conn.is_in_transaction()
    async with pool.acquire() as conn:
        after = (conn.is_in_transaction(), await conn.fetchval("SELECT 4"))

    assert (True, (False, 4)) == (inside, after)
