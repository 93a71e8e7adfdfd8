"""FakeTransaction: states, async with, explicit control, savepoints, scripted failures."""

from __future__ import annotations

import pytest

from asyncfakes import FakeAssertionError, FakeConnection, FakeTransactionError

pytestmark = pytest.mark.anyio


async def test_async_with_commits_and_records_control_statements() -> None:
    """A clean body commits; BEGIN and COMMIT are recorded around the body's calls."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        assert tx.is_active
        await tx.execute("INSERT INTO t VALUES ($1)", [1])

    tx.assert_committed()
    assert ["BEGIN", "INSERT INTO t VALUES ($1)", "COMMIT"] == conn.calls.sql
    assert ["start", "execute", "commit"] == [c.method for c in tx.calls]
    assert [tx] == list(conn.transactions)
    assert all(c.transaction is tx for c in conn.calls)


async def test_body_error_rolls_back_and_propagates() -> None:
    """An exception in the body rolls the transaction back and is re-raised."""
    conn = FakeConnection()
    tx = conn.transaction()
    with pytest.raises(ZeroDivisionError):
        async with tx:
            await conn.execute("INSERT INTO t VALUES (1)")
            1 / 0  # noqa: B018  # pyright: ignore[reportUnusedExpression]

    tx.assert_rolled_back()
    assert "ROLLBACK" == conn.calls.last.sql


async def test_explicit_start_commit_rollback() -> None:
    """start()/commit()/rollback() drive the same states as async with."""
    conn = FakeConnection()
    tx = conn.transaction()
    assert "new" == tx.state
    await tx.start()
    assert tx.is_active
    await tx.fetch("SELECT 1")
    await tx.fetch_row("SELECT 1")
    await tx.fetch_val("SELECT 1")
    await tx.execute_many("INSERT INTO t VALUES ($1)", [[1], [2]])
    await tx.rollback()
    tx.assert_rolled_back()

    with pytest.raises(FakeTransactionError, match=r"cannot commit transaction #0: it is rolled back\."):
        await tx.commit()
    with pytest.raises(FakeTransactionError, match=r"cannot start transaction #0: it is rolled back\."):
        await tx.start()
    with pytest.raises(
        FakeTransactionError, match=r"cannot run a statement in transaction #0: it is rolled back\."
    ):
        await tx.execute("SELECT 1")


async def test_nested_transactions_are_savepoints() -> None:
    """A transaction started inside another is a savepoint; rolling it back keeps the outer one."""
    conn = FakeConnection()
    async with conn.transaction() as outer:
        inner = conn.transaction()
        with pytest.raises(RuntimeError):
            async with inner:
                await conn.execute("UPDATE t SET a = 1")
                raise RuntimeError
        await conn.execute("UPDATE t SET b = 2")

    outer.assert_committed()
    inner.assert_rolled_back()
    assert outer is inner.parent
    assert "asyncfakes_sp_1" == inner.savepoint
    assert None is outer.savepoint
    assert [
        "BEGIN",
        "SAVEPOINT asyncfakes_sp_1",
        "UPDATE t SET a = 1",
        "ROLLBACK TO SAVEPOINT asyncfakes_sp_1",
        "UPDATE t SET b = 2",
        "COMMIT",
    ] == conn.calls.sql
    assert 3 == len(inner.calls)
    assert 6 == len(outer.calls)


async def test_released_savepoint() -> None:
    """Committing a savepoint releases it."""
    conn = FakeConnection()
    async with conn.transaction(), conn.transaction() as inner:
        pass
    inner.assert_committed()
    assert "RELEASE SAVEPOINT asyncfakes_sp_1" == conn.calls[2].sql


@pytest.mark.parametrize("statement", ["BEGIN", "COMMIT", "ROLLBACK"])
async def test_scripted_failures_leave_the_transaction_failed(statement: str) -> None:
    """BEGIN, COMMIT or ROLLBACK scripted to fail raise, and the transaction ends failed."""
    conn = FakeConnection()
    conn.when(sql=statement).raises_once(ConnectionResetError("lost"))
    tx = conn.transaction()
    with pytest.raises(ConnectionResetError):
        async with tx:
            if statement == "ROLLBACK":
                raise KeyError("body")
    assert "failed" == tx.state
    assert [] == conn._transaction_stack  # pyright: ignore[reportPrivateUsage]
    conn.verify()


async def test_exit_after_explicit_end_does_nothing() -> None:
    """Ending the transaction inside the body leaves nothing for __aexit__ to do."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        await tx.rollback()
    tx.assert_rolled_back()
    assert ["BEGIN", "ROLLBACK"] == conn.calls.sql


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_state_assertions_fail_with_the_transaction_calls() -> None:
    """assert_committed on a rolled-back transaction says so and lists its calls."""
    conn = FakeConnection()
    await conn.execute("SELECT 0")
    tx = conn.transaction()
    with pytest.raises(KeyError):
        async with tx:
            await conn.execute("SELECT 1")
            raise KeyError

    with pytest.raises(FakeAssertionError) as excinfo:
        tx.assert_committed()
    assert str(excinfo.value) == (
        "Expected transaction #0 to be committed, but it is rolled back.\n"
        "Calls in transaction #0 (3):\n"
        "  #1 start('BEGIN') -> returned [in transaction #0]\n"
        "  #2 execute('SELECT 1') -> returned [in transaction #0]\n"
        "  #3 rollback('ROLLBACK') -> returned [in transaction #0]"
    )
    with pytest.raises(FakeAssertionError, match="to be rolled back, but it is new"):
        conn.transaction().assert_rolled_back()
    assert "<FakeTransaction #1 new>" == repr(conn.transactions[1])


async def test_ending_the_outer_transaction_ends_open_savepoints() -> None:
    """A savepoint still open when its outer transaction commits is committed with it."""
    conn = FakeConnection()
    outer = conn.transaction()
    await outer.start()
    inner = conn.transaction()
    await inner.start()
    await outer.commit()

    inner.assert_committed()
    with pytest.raises(FakeTransactionError, match=r"cannot commit transaction #1: it is committed\."):
        await inner.commit()
    assert [] == conn._transaction_stack  # pyright: ignore[reportPrivateUsage]
