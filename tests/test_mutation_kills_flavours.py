"""The failing side of the flavours' transactions (mutation testing found them tested only when they pass)."""

from __future__ import annotations

from typing import Any

import pytest

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
