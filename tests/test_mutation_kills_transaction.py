"""The failing side of the generic transaction (mutation testing found it tested only when it passes)."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import FakeAssertionError, FakeConnection, FakeTransactionError

# These tests leave unmet expectations, unused stubs and unexpected calls on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]

SQL = "UPDATE t SET a = $1"


@pytest.mark.parametrize(
    ("method", "args", "params"),
    [
        ("execute", (SQL, [1]), [1]),
        ("fetch", (SQL, [2]), [2]),
        ("fetch_row", (SQL, [3]), [3]),
        ("fetch_val", (SQL, [4]), [4]),
        ("execute_many", (SQL, [[5], [6]]), [[5], [6]]),
    ],
)
async def test_generic_transaction_methods_forward_sql_and_parameters(
    method: str, args: tuple[Any, ...], params: object
) -> None:
    """Each query method of a transaction records on the connection exactly what it was given."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        await getattr(tx, method)(*args)

    call = conn.calls[1]
    assert (method, SQL, params, tx) == (call.method, call.sql, call.params, call.transaction)


async def test_generic_execute_many_forwards_the_keyword_parameters_too() -> None:
    """execute_many(stmt, parameters=...) keeps its keyword through the transaction."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        await tx.execute_many(SQL, parameters=[[7]])

    assert [[7]] == conn.calls[1].params


async def test_a_finished_transaction_refuses_statements_and_says_why() -> None:
    """After commit, a statement through the transaction fails naming the transaction and its state."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        pass

    with pytest.raises(FakeTransactionError) as excinfo:
        await tx.fetch("SELECT 1")
    assert ("cannot run a statement in transaction #0: it is committed.",) == excinfo.value.args
    with pytest.raises(FakeTransactionError, match="^cannot commit transaction #0: it is committed.$"):
        await tx.commit()
    with pytest.raises(FakeTransactionError, match="^cannot start transaction #0: it is committed.$"):
        await tx.start()


async def test_transaction_assertions_fail_with_the_states_and_their_calls() -> None:
    """assert_committed / assert_rolled_back fail naming the expected and the actual state."""
    conn = FakeConnection()
    tx = conn.transaction()
    with pytest.raises(FakeAssertionError, match="^Expected transaction #0 to be committed, but it is new."):
        tx.assert_committed()
    await tx.start()
    await tx.execute("SELECT 1")
    await tx.rollback()

    with pytest.raises(FakeAssertionError) as excinfo:
        tx.assert_committed()
    assert str(excinfo.value) == (
        "Expected transaction #0 to be committed, but it is rolled back.\n"
        "Calls in transaction #0 (3):\n"
        "  #0 start('BEGIN') -> returned [in transaction #0]\n"
        "  #1 execute('SELECT 1') -> returned [in transaction #0]\n"
        "  #2 rollback('ROLLBACK') -> returned [in transaction #0]"
    )
    tx.assert_rolled_back()


async def test_nested_transactions_use_savepoints_and_end_with_their_parent() -> None:
    """A transaction inside another is a savepoint; committing the outer ends the inner too."""
    conn = FakeConnection()
    outer = conn.transaction()
    await outer.start()
    inner = conn.transaction()
    await inner.start()
    await inner.execute("SELECT 1")

    assert ("asyncfakes_sp_1", None) == (inner.savepoint, outer.savepoint)
    assert "<FakeTransaction #1 savepoint active>" == repr(inner)
    assert [inner.calls[1]] == list(inner.calls)[1:]
    assert 3 == len(outer.calls)
    await outer.commit()

    assert ("committed", "committed") == (outer.state, inner.state)
    assert ["BEGIN", "SAVEPOINT asyncfakes_sp_1", "SELECT 1", "COMMIT"] == conn.calls.sql
    assert not inner.is_active


async def test_a_failing_body_rolls_back_only_its_savepoint() -> None:
    """An error leaving a nested async with rolls back to its savepoint; the outer one commits."""
    conn = FakeConnection()
    async with conn.transaction() as outer:
        inner = conn.transaction()
        with pytest.raises(ValueError, match="boom"):
            async with inner:
                raise ValueError("boom")

    assert ("committed", "rolled_back") == (outer.state, inner.state)
    assert ["BEGIN", "SAVEPOINT asyncfakes_sp_1", "ROLLBACK TO SAVEPOINT asyncfakes_sp_1", "COMMIT"] == (
        conn.calls.sql
    )


async def test_a_transaction_never_started_is_reported_with_the_method_that_starts_it() -> None:
    """verify() names `async with` and the generic transaction's start()."""
    conn = FakeConnection()
    conn.transaction()

    assert conn.problems() == [
        "transaction #0 was created but never started: enter it with `async with` (or call start()). "
        "Without that, the statements meant for it run outside any transaction, and in production the "
        "write is not atomic."
    ]


async def test_begin_commit_and_rollback_need_no_script_on_a_strict_connection() -> None:
    """A strict connection answers the transaction's own statements: only the query methods are strict."""
    conn = FakeConnection(strict=True)
    async with conn.transaction():
        pass
    with pytest.raises(KeyError):
        async with conn.transaction():
            raise KeyError("boom")

    assert ["BEGIN", "COMMIT", "BEGIN", "ROLLBACK"] == conn.calls.sql
    assert [] == conn.problems()


async def test_a_transactions_calls_fail_naming_the_transaction_and_listing_the_whole_connection() -> None:
    """tx.calls.one() says which transaction, then lists every call on the connection."""
    conn = FakeConnection()
    await conn.fetch("SELECT 0")
    async with conn.transaction() as tx:
        await conn.fetch("SELECT 1")

    with pytest.raises(FakeAssertionError) as excinfo:
        tx.calls.one()

    assert str(excinfo.value) == (
        "Expected exactly one of calls in transaction #0, but there were 3.\n"
        "  #1 start('BEGIN') -> returned [in transaction #0]\n"
        "  #2 fetch('SELECT 1') -> returned [in transaction #0]\n"
        "  #3 commit('COMMIT') -> returned [in transaction #0]\n"
        "Calls on this connection (4):\n"
        "  #0 fetch('SELECT 0') -> returned\n"
        "  #1 start('BEGIN') -> returned [in transaction #0]\n"
        "  #2 fetch('SELECT 1') -> returned [in transaction #0]\n"
        "  #3 commit('COMMIT') -> returned [in transaction #0]"
    )
