"""Contract: transactions, savepoints and aborted transactions behave on the fake as on asyncpg.

Every scenario runs on the fake and on real asyncpg against PostgreSQL (see _asyncpg_support).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from asyncfakes.asyncpg import error_class, postgres_error, unique_violation
from tests.contract._asyncpg_support import Target, anyio_backend, db

__all__ = ["anyio_backend", "db"]

pytestmark = pytest.mark.anyio

ABORTED = "current transaction is aborted, commands ignored until end of transaction block"
FAIL = "SELECT 1 / 0"


def division_by_zero() -> Exception:
    """What the server raises for FAIL."""
    return postgres_error("22012", "division by zero")


async def test_async_with_commits_and_binds_nothing(db: Target) -> None:
    """`async with conn.transaction() as tx` commits on success; tx is None, as in asyncpg."""
    await db.setup("CREATE TEMP TABLE t (id int)")
    if db.fake:
        db.fake.fetchval.returns(1)

    async with db.conn.transaction() as bound:
        inside = db.conn.is_in_transaction()
        await db.conn.execute("INSERT INTO t VALUES (1)")

    assert (None, True, False) == (bound, inside, db.conn.is_in_transaction())
    assert 1 == await db.conn.fetchval("SELECT count(*) FROM t")


async def test_an_error_in_the_body_rolls_back_and_propagates(db: Target) -> None:
    """The body's exception rolls the transaction back and reaches the caller; the connection works."""
    await db.setup("CREATE TEMP TABLE t (id int)")
    if db.fake:
        db.fake.fetchval.returns(0)

    with pytest.raises(RuntimeError, match="boom"):
        async with db.conn.transaction():
            await db.conn.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")

    assert (False, 0) == (db.conn.is_in_transaction(), await db.conn.fetchval("SELECT count(*) FROM t"))


async def test_a_failed_statement_aborts_the_transaction_until_rollback(db: Target) -> None:
    """After a failed statement every statement raises InFailedSQLTransactionError (25P02)."""
    if db.fake:
        db.fake.fetchval.raises_once(division_by_zero()).returns(1)
    tx = db.conn.transaction()
    await tx.start()
    with pytest.raises(error_class("DivisionByZeroError")):
        await db.conn.fetchval(FAIL)

    refused = []
    attempts: tuple[Callable[[], Awaitable[Any]], ...] = (
        lambda: db.conn.fetchval("SELECT 1"),
        lambda: db.conn.execute("SELECT 1"),
        lambda: db.conn.fetch("SELECT $1::int", 1),
        lambda: db.conn.executemany("SELECT $1::int", [(1,)]),
        lambda: db.conn.prepare("SELECT 1"),
        lambda: db.conn.transaction().start(),
    )
    for attempt in attempts:
        with pytest.raises(error_class("InFailedSQLTransactionError")) as caught:
            await attempt()
        refused.append((str(caught.value), caught.value.sqlstate))  # type: ignore[attr-defined]
    in_transaction = db.conn.is_in_transaction()
    await tx.rollback()

    assert [(ABORTED, "25P02")] * 6 == refused
    assert (True, 1) == (in_transaction, await db.conn.fetchval("SELECT 1"))


async def test_rolling_back_to_the_savepoint_recovers(db: Target) -> None:
    """A failure inside a savepoint is undone by rolling back to it; the outer transaction goes on."""
    if db.fake:
        db.fake.fetchval.raises_once(division_by_zero()).returns(1)

    async with db.conn.transaction():
        savepoint = db.conn.transaction()
        await savepoint.start()
        with pytest.raises(error_class("DivisionByZeroError")):
            await db.conn.fetchval(FAIL)
        with pytest.raises(error_class("InFailedSQLTransactionError")):
            await db.conn.fetchval("SELECT 1")
        await savepoint.rollback()
        after = await db.conn.fetchval("SELECT 1")

    assert (1, False) == (after, db.conn.is_in_transaction())


async def test_a_nested_block_that_raises_leaves_the_outer_one_usable(db: Target) -> None:
    """A nested `async with` whose body raises rolls back to its savepoint only."""
    if db.fake:
        db.fake.fetchval.raises_once(division_by_zero()).returns(1)

    async with db.conn.transaction():
        with pytest.raises(error_class("DivisionByZeroError")):
            async with db.conn.transaction():
                await db.conn.fetchval(FAIL)
        after = await db.conn.fetchval("SELECT 1")

    assert 1 == after


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_committing_an_aborted_transaction_silently_rolls_it_back(db: Target) -> None:
    """COMMIT of an aborted transaction raises nothing (PostgreSQL rolls back); the data is gone."""
    await db.setup("CREATE TEMP TABLE t (id int)")
    if db.fake:
        db.fake.fetchval.raises_once(division_by_zero()).returns(0)

    async with db.conn.transaction():
        await db.conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(error_class("DivisionByZeroError")):
            await db.conn.fetchval(FAIL)

    assert (False, 0) == (db.conn.is_in_transaction(), await db.conn.fetchval("SELECT count(*) FROM t"))


async def test_releasing_a_savepoint_of_an_aborted_transaction_fails(db: Target) -> None:
    """Committing a savepoint after a failure raises InFailedSQLTransactionError; rollback ends it."""
    if db.fake:
        db.fake.fetchval.raises_once(division_by_zero())
    tx = db.conn.transaction()
    await tx.start()
    savepoint = db.conn.transaction()
    await savepoint.start()
    with pytest.raises(error_class("DivisionByZeroError")):
        await db.conn.fetchval(FAIL)

    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await savepoint.commit()
    with pytest.raises(
        error_class("InterfaceError"), match="^cannot commit; the transaction is in error state$"
    ):
        await savepoint.commit()
    await tx.rollback()

    assert False is db.conn.is_in_transaction()


async def test_a_failing_commit_ends_the_transaction(db: Target) -> None:
    """A COMMIT that raises (a deferred constraint) ends the transaction; it is then in error state."""
    await db.setup("CREATE TEMP TABLE t (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
    if db.fake:
        db.fake.when(sql="COMMIT").raises_once(unique_violation("t_id_key", table="t"))
    tx = db.conn.transaction()
    await tx.start()
    await db.conn.execute("INSERT INTO t VALUES (1), (1)")

    with pytest.raises(error_class("UniqueViolationError")):
        await tx.commit()

    assert False is db.conn.is_in_transaction()
    with pytest.raises(
        error_class("InterfaceError"), match="^cannot commit; the transaction is in error state$"
    ):
        await tx.commit()


async def test_transaction_state_errors_have_asyncpg_messages(db: Target) -> None:
    """Committing twice, rolling back too early, starting twice: InterfaceError with asyncpg's words."""
    messages: list[str] = []
    interface_error = error_class("InterfaceError")

    async def attempt(action: Any) -> None:
        with pytest.raises(interface_error) as caught:
            await action()
        messages.append(str(caught.value))

    fresh = db.conn.transaction()
    await attempt(fresh.commit)
    await attempt(fresh.rollback)
    await fresh.start()
    await attempt(fresh.start)
    await fresh.commit()
    await attempt(fresh.commit)
    await attempt(fresh.rollback)
    await attempt(fresh.start)
    undone = db.conn.transaction()
    await undone.start()
    await undone.rollback()
    await attempt(undone.commit)

    assert [
        "cannot commit; the transaction is not yet started",
        "cannot rollback; the transaction is not yet started",
        "cannot start; the transaction is already started",
        "cannot commit; the transaction is already committed",
        "cannot rollback; the transaction is already committed",
        "cannot start; the transaction is already committed",
        "cannot commit; the transaction is already rolled back",
    ] == messages


async def test_async_with_forbids_manual_commit_and_reentry(db: Target) -> None:
    """Inside `async with`, commit()/rollback() and entering again raise InterfaceError."""
    interface_error = error_class("InterfaceError")
    tx = db.conn.transaction()

    async with tx:
        with pytest.raises(
            interface_error, match="^cannot manually commit from within an `async with` block$"
        ):
            await tx.commit()
        with pytest.raises(
            interface_error, match="^cannot manually rollback from within an `async with` block$"
        ):
            await tx.rollback()
        with pytest.raises(interface_error, match="^cannot enter context: already in an `async with` block$"):
            async with tx:
                pass  # pragma: no cover

    assert False is db.conn.is_in_transaction()


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_isolation_levels_are_checked(db: Target) -> None:
    """An unknown isolation is a ValueError; a nested one must match the outer transaction's."""
    with pytest.raises(ValueError, match="isolation is expected to be either of"):
        db.conn.transaction(isolation="SERIALIZABLE")
    if db.fake:
        db.fake.fetchval.returns("serializable")

    async with db.conn.transaction(isolation="serializable", readonly=True, deferrable=True):
        level = await db.conn.fetchval("SHOW transaction_isolation")
        with pytest.raises(error_class("InterfaceError")) as caught:
            await db.conn.transaction(isolation="read_committed").start()
        await db.conn.transaction(isolation="serializable").start()

    assert "serializable" == level
    assert (
        "nested transaction has a different isolation level: current 'read_committed' != outer 'serializable'"
        == str(caught.value)
    )


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_a_manual_begin_counts_as_a_transaction(db: Target) -> None:
    """After execute('BEGIN') the connection is in a transaction, and transaction() is refused."""
    await db.conn.execute("BEGIN")
    inside = db.conn.is_in_transaction()
    with pytest.raises(error_class("InterfaceError"), match="in a manually started transaction"):
        await db.conn.transaction().start()
    await db.conn.execute("COMMIT")

    assert (True, False) == (inside, db.conn.is_in_transaction())


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_a_timeout_inside_a_transaction_aborts_it(db: Target) -> None:
    """A query cancelled by a timeout is cancelled on the server too: the transaction is aborted."""
    if db.fake:
        db.fake.fetchval.hangs_once()

    async with db.conn.transaction():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(db.conn.fetchval("SELECT pg_sleep(5)"), 0.1)
        with pytest.raises(error_class("InFailedSQLTransactionError")):
            await db.conn.fetchval("SELECT 1")

    assert False is db.conn.is_in_transaction()


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_the_query_timeout_argument_raises_and_aborts_the_transaction(db: Target) -> None:
    """asyncpg's own timeout= raises asyncio.TimeoutError for a slow query and aborts the transaction."""
    if db.fake:
        db.fake.fetchval.hangs_once()

    async with db.conn.transaction():
        with pytest.raises(asyncio.TimeoutError):
            await db.conn.fetchval("SELECT pg_sleep(5)", timeout=0.1)
        with pytest.raises(error_class("InFailedSQLTransactionError")):
            await db.conn.fetchval("SELECT 1")

    assert False is db.conn.is_in_transaction()


async def test_committing_the_outer_transaction_ends_its_savepoints(db: Target) -> None:
    """After the outer transaction commits, committing a savepoint inside it fails on the server."""
    outer = db.conn.transaction()
    await outer.start()
    inner = db.conn.transaction()
    await inner.start()
    await outer.commit()

    with pytest.raises(error_class("NoActiveSQLTransactionError")) as caught:
        await inner.commit()

    assert "RELEASE SAVEPOINT can only be used in transaction blocks" == str(caught.value)
    assert False is db.conn.is_in_transaction()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_transaction_of_a_closed_connection_refuses_to_end(db: Target) -> None:
    """Once the connection is closed, ending its transaction raises InterfaceError."""
    tx = db.conn.transaction()
    await tx.start()
    await db.conn.close()

    with pytest.raises(error_class("InterfaceError")) as caught:
        await tx.rollback()

    assert "cannot call Transaction.rollback(): the underlying connection is closed" == str(caught.value)


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_executing_commit_in_an_aborted_manual_transaction_reports_rollback(db: Target) -> None:
    """execute('COMMIT') after a failure in a manual transaction answers 'ROLLBACK'."""
    if db.fake:
        db.fake.fetchval.raises_once(division_by_zero())
    await db.conn.execute("BEGIN")
    with pytest.raises(error_class("DivisionByZeroError")):
        await db.conn.fetchval(FAIL)

    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await db.conn.execute("SELECT 1")
    assert ("ROLLBACK", False) == (await db.conn.execute("COMMIT"), db.conn.is_in_transaction())


async def test_rolling_back_an_outer_savepoint_ends_the_inner_ones(db: Target) -> None:
    """After rolling back to an outer savepoint, releasing an inner one fails: it no longer exists."""
    outer = db.conn.transaction()
    await outer.start()
    first = db.conn.transaction()
    await first.start()
    second = db.conn.transaction()
    await second.start()
    await first.rollback()

    with pytest.raises(
        error_class("InvalidSavepointSpecificationError"), match="^savepoint .* does not exist$"
    ):
        await second.commit()
    await outer.rollback()
