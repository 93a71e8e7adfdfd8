"""asyncfakes.asyncpg.FakeTransaction: statements, states, savepoints, aborted transactions."""

from __future__ import annotations

import anyio
import pytest

from asyncfakes.asyncpg import FakeConnection, FakeTransaction, error_class, serialization_failure

pytestmark = pytest.mark.anyio

InterfaceError = error_class("InterfaceError")


async def test_statements_carry_the_isolation_and_modes() -> None:
    """BEGIN names the isolation level, READ ONLY and DEFERRABLE; savepoints use asyncpg's forms."""
    conn = FakeConnection()
    tx = conn.transaction(isolation="repeatable_read", readonly=True, deferrable=True)

    async with tx:
        inner = conn.transaction()
        await inner.start()
        await inner.rollback()
        async with conn.transaction():
            pass

    assert [
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY DEFERRABLE;",
        "SAVEPOINT asyncfakes_sp_1;",
        "ROLLBACK TO asyncfakes_sp_1;",
        "SAVEPOINT asyncfakes_sp_2;",
        "RELEASE SAVEPOINT asyncfakes_sp_2;",
        "COMMIT;",
    ] == conn.calls.sql
    assert ("repeatable_read", True, True) == (tx.isolation, tx.readonly, tx.deferrable)
    assert {"isolation": "repeatable_read", "readonly": True, "deferrable": True} == dict(tx.options)
    tx.assert_committed()


async def test_plain_begin_and_an_unknown_isolation() -> None:
    """No options is a bare BEGIN; an unknown isolation is a ValueError listing the levels."""
    conn = FakeConnection()
    async with conn.transaction():
        pass

    assert ["BEGIN;", "COMMIT;"] == conn.calls.sql
    with pytest.raises(
        ValueError, match=r"either of \{'read_committed', 'read_uncommitted', 'repeatable_read'"
    ):
        FakeTransaction(conn, isolation="chaos")


async def test_the_failed_state_refuses_everything() -> None:
    """A transaction whose BEGIN failed is in error state."""
    conn = FakeConnection()
    conn.when(sql="BEGIN;").raises_once(serialization_failure())
    tx = conn.transaction()

    with pytest.raises(error_class("SerializationError")):
        await tx.start()
    for action in (tx.start, tx.commit, tx.rollback):
        with pytest.raises(InterfaceError, match="the transaction is in error state$"):
            await action()


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_a_body_error_rolls_back_and_an_aborted_commit_becomes_a_rollback() -> None:
    """`async with`: an exception rolls back; a swallowed server error makes the commit a rollback."""
    conn = FakeConnection()
    conn.execute.raises_once(serialization_failure())

    with pytest.raises(KeyError):
        async with conn.transaction():
            raise KeyError
    async with conn.transaction():
        with pytest.raises(error_class("SerializationError")):
            await conn.execute("UPDATE t SET a = 1")

    first, second = conn.transactions
    first.assert_rolled_back()
    second.assert_rolled_back()
    assert "COMMIT;" == conn.calls[-1].sql
    assert "UPDATE 0" == await conn.execute("UPDATE t SET a = 1")


async def test_a_cancelled_call_aborts_the_transaction() -> None:
    """A call cancelled inside a transaction was cancelled on the server: the transaction aborts."""
    conn = FakeConnection()
    conn.fetchval.hangs_once()
    tx = conn.transaction()
    await tx.start()

    with anyio.move_on_after(0.01):
        await conn.fetchval("SELECT pg_sleep(10)")
    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await conn.fetchval("SELECT 1")
    await tx.rollback()

    assert None is await conn.fetchval("SELECT 1")


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_a_failed_savepoint_release_keeps_the_outer_transaction_aborted() -> None:
    """In an aborted transaction, releasing a savepoint fails and commit of the outer rolls back."""
    conn = FakeConnection()
    conn.fetchval.raises_once(serialization_failure())
    outer = conn.transaction()
    await outer.start()
    inner = conn.transaction()
    await inner.start()
    with pytest.raises(error_class("SerializationError")):
        await conn.fetchval("SELECT 1")

    with pytest.raises(error_class("InFailedSQLTransactionError")):
        await inner.commit()
    await outer.commit()

    assert ("failed", "rolled_back") == (inner.state, outer.state)


async def test_savepoints_ended_by_their_outer_transaction_fail_on_the_server() -> None:
    """A savepoint the server already ended: 'can only be used in transaction blocks' or 'does not exist'."""
    conn = FakeConnection()
    outer = conn.transaction()
    await outer.start()
    first = conn.transaction()
    await first.start()
    second = conn.transaction()
    await second.start()
    await first.rollback()

    with pytest.raises(
        error_class("InvalidSavepointSpecificationError"), match='^savepoint "asyncfakes_sp_2" does'
    ):
        await second.rollback()
    third = conn.transaction()
    await third.start()
    await outer.rollback()
    with pytest.raises(
        error_class("NoActiveSQLTransactionError"), match="^ROLLBACK TO SAVEPOINT can only be"
    ):
        await third.rollback()

    assert ("rolled_back", "failed", "failed") == (first.state, second.state, third.state)


async def test_the_outer_commit_failing_leaves_savepoints_started() -> None:
    """When the outer COMMIT fails, asyncpg still thinks its savepoints started."""
    conn = FakeConnection()
    conn.when(sql="COMMIT;").raises_once(serialization_failure())
    outer = conn.transaction()
    await outer.start()
    inner = conn.transaction()
    await inner.start()

    with pytest.raises(error_class("SerializationError")):
        await outer.commit()

    assert ("failed", "active", False) == (outer.state, inner.state, conn.is_in_transaction())


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_transaction_of_a_released_or_closed_connection_refuses_to_exit() -> None:
    """__aexit__ checks the connection first, as asyncpg's does."""
    conn = FakeConnection()

    with pytest.raises(
        InterfaceError, match=r"^cannot call Transaction.__aexit__\(\): the underlying connection is closed$"
    ):
        async with conn.transaction():
            await conn.close()


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_async_with_rules_and_nested_isolation() -> None:
    """No manual commit/rollback or re-entry inside `async with`; a nested isolation must match."""
    conn = FakeConnection()
    tx = conn.transaction(isolation="serializable")

    async with tx:
        for action, verb in ((tx.commit, "commit"), (tx.rollback, "rollback")):
            with pytest.raises(
                InterfaceError, match=f"^cannot manually {verb} from within an `async with` block$"
            ):
                await action()
        with pytest.raises(InterfaceError, match="^cannot enter context: already in an `async with` block$"):
            await tx.__aenter__()
        with pytest.raises(InterfaceError, match="current 'read_committed' != outer 'serializable'"):
            await conn.transaction(isolation="read_committed").start()
        await conn.transaction(isolation="serializable").start()

    async with conn.transaction():
        with pytest.raises(InterfaceError, match="current 'serializable' != outer 'read_committed'"):
            await conn.transaction(isolation="serializable").start()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_transaction_refuses_to_start_inside_a_manual_one() -> None:
    """After execute('BEGIN'), transaction().start() raises asyncpg's InterfaceError."""
    conn = FakeConnection()
    await conn.execute("BEGIN")

    with pytest.raises(
        InterfaceError, match="^cannot use Connection.transaction\\(\\) in a manually started transaction$"
    ):
        await conn.transaction().start()
    assert "BEGIN" == conn.calls[-1].sql
