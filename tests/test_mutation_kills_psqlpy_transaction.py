"""The failing side of the flavours' transactions (mutation testing found them tested only when they pass)."""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.psqlpy import FakeConnection, postgres_error
from asyncfakes.psqlpy import exceptions as exc

# These tests leave unmet expectations, unused stubs and unexpected calls on purpose.
pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]

SQL = "SELECT a FROM t WHERE b = $1"


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("execute", (SQL, [1], False)),
        ("fetch", (SQL, [2], False)),
        ("fetch_row", (SQL, [3], False)),
        ("fetch_val", (SQL, [4], False)),
        ("execute_many", (SQL, [[5], [6]], False)),
        ("execute_batch", ("SELECT 1; SELECT 2",)),
        ("prepare", (SQL, [7])),
    ],
)
async def test_psqlpy_transaction_methods_forward_sql_parameters_and_prepared(
    method: str, args: tuple[Any, ...]
) -> None:
    """Every query method of a transaction sends the connection exactly what it was given."""
    conn = FakeConnection()
    conn.fetch_row.returns({"a": 1})
    conn.fetch_val.returns(1)
    conn.prepare.returns(["a"])
    tx = conn.transaction()
    await tx.begin()

    await getattr(tx, method)(*args)

    call = conn.calls.last
    assert (method, args[0], args, tx) == (call.method, call.sql, call.args, call.transaction)
    assert (args[1] if len(args) > 1 else None) == call.params
    assert [call] == list(tx.calls)[1:]


async def test_psqlpy_pipeline_forwards_every_query_and_prepared() -> None:
    """pipeline() runs each (sql, parameters) pair as an execute with the same prepared flag."""
    conn = FakeConnection()
    tx = conn.transaction()
    await tx.begin()

    await tx.pipeline([("SELECT 1", None), (SQL, [2])], prepared=False)

    assert [("SELECT 1", None, False), (SQL, [2], False)] == [call.args for call in conn.calls[1:]]


async def test_psqlpy_transaction_keeps_prepared_default_true() -> None:
    """Left out, prepared is True, as in psqlpy."""
    conn = FakeConnection()
    tx = conn.transaction()
    await tx.begin()

    await tx.execute(SQL, [1])
    await tx.pipeline([(SQL, [2])])

    assert [(SQL, [1], True), (SQL, [2], True)] == [call.args for call in conn.calls[1:]]


@pytest.mark.parametrize("method", ["execute", "fetch"])
async def test_psqlpy_transaction_reshapes_prepare_failures_of_execute_and_fetch(method: str) -> None:
    """A statement without parameters failing at prepare time: ConnectionExecuteError on the
    connection, DatabaseError (with the bare server text) through a transaction, as psqlpy does."""
    conn = FakeConnection()
    getattr(conn, method).raises(postgres_error("boom", at="prepare"))
    with pytest.raises(exc.Error) as on_conn:
        await getattr(conn, method)("SELECT 1")
    tx = conn.transaction()
    await tx.begin()

    with pytest.raises(exc.Error) as on_tx:
        await getattr(tx, method)("SELECT 1")

    assert ("ConnectionExecuteError", "DatabaseError") == (
        type(on_conn.value).__name__,
        type(on_tx.value).__name__,
    )
    assert "db error: ERROR: boom" == str(on_tx.value)
    await tx.rollback()


async def test_psqlpy_cursor_of_a_transaction_forwards_its_arguments() -> None:
    """tx.cursor(sql, parameters, array_size) makes a cursor on the connection with those arguments."""
    conn = FakeConnection()
    tx = conn.transaction()
    await tx.begin()

    cursor = tx.cursor(SQL, [1], array_size=7)

    assert (SQL, [1], 7) == (cursor.querystring, cursor.parameters, cursor.array_size)


async def test_psqlpy_a_finished_transaction_raises_psqlpys_exact_message() -> None:
    """TransactionClosedError says what psqlpy says, whatever was attempted."""
    conn = FakeConnection()
    tx = conn.transaction()
    await tx.begin()
    await tx.commit()

    for attempt in (tx.commit(), tx.rollback(), tx.execute("SELECT 1")):
        with pytest.raises(exc.TransactionClosedError) as excinfo:
            await attempt
        assert ("Underlying connection is returned to the pool",) == excinfo.value.args


async def test_psqlpy_a_nested_begin_names_both_transactions() -> None:
    """verify() names the transaction that began inside another one."""
    conn = FakeConnection()
    outer = conn.transaction()
    await outer.begin()
    inner = conn.transaction()
    await inner.begin()
    await outer.commit()

    with pytest.raises(
        ExpectationsNotMet, match="transaction #1 began while a transaction was already in progress"
    ):
        conn.verify()


async def test_psqlpy_savepoints_are_recorded_under_their_own_names_and_sql() -> None:
    """create/rollback/release_savepoint are recorded as such, with psqlpy's statements."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        await tx.create_savepoint("a")
        await tx.rollback_savepoint("a")
        await tx.release_savepoint("a")

    assert [
        ("create_savepoint", "SAVEPOINT a"),
        ("rollback_savepoint", "ROLLBACK TO SAVEPOINT a"),
        ("release_savepoint", "RELEASE SAVEPOINT a"),
    ] == [(call.method, call.sql) for call in conn.calls[1:4]]


async def test_psqlpy_savepoints_need_no_script_on_a_strict_connection() -> None:
    """On a strict connection the savepoint statements answer unscripted, as begin and commit do."""
    conn = FakeConnection(strict=True)
    async with conn.transaction() as tx:
        await tx.create_savepoint("a")
        await tx.rollback_savepoint("a")
        await tx.release_savepoint("a")

    tx.assert_committed()


async def test_psqlpy_rollback_to_a_repeated_savepoint_name_uses_the_latest() -> None:
    """With two savepoints of one name, rollback_savepoint goes back to the later one."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        for name in ("a", "b", "a", "c"):
            await tx.create_savepoint(name)
        await tx.rollback_savepoint("a")
        kept = list(conn._savepoints)  # pyright: ignore[reportPrivateUsage]
        await tx.release_savepoint("a")
        released = list(conn._savepoints)  # pyright: ignore[reportPrivateUsage]

    assert (["a", "b", "a"], ["a", "b"]) == (kept, released)


async def test_psqlpy_transaction_methods_default_to_prepared() -> None:
    """Every query method of a transaction passes prepared=True when it is left out."""
    conn = FakeConnection()
    conn.fetch_row.returns({"a": 1})
    conn.fetch_val.returns(1)
    async with conn.transaction() as tx:
        await tx.execute(SQL, [1])
        await tx.fetch(SQL, [1])
        await tx.fetch_row(SQL, [1])
        await tx.fetch_val(SQL, [1])
        await tx.execute_many(SQL, [[1]])
        await tx.pipeline([(SQL, [1])])

    assert [True] * 6 == [call.args[-1] for call in conn.calls[1:7]]


async def test_psqlpy_execute_many_through_a_transaction_keeps_its_own_error() -> None:
    """Only execute and fetch are reshaped through a transaction: execute_many keeps psqlpy's wording."""
    conn = FakeConnection()
    conn.execute_many.raises(postgres_error("boom", at="prepare"))
    tx = conn.transaction()
    await tx.begin()

    with pytest.raises(exc.ConnectionExecuteError, match="^Cannot build statement in execute_many: db error"):
        await tx.execute_many(SQL, [[1]])
    await tx.rollback()
