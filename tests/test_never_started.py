"""Transactions that never ran, and commits PostgreSQL turned into rollbacks, are reported (issue 10, item 7)."""

from __future__ import annotations

import pytest

import asyncfakes.asyncpg as apg
import asyncfakes.psqlpy as pq
from asyncfakes import ExpectationsNotMet, FakeConnection
from asyncfakes.psqlpy import exceptions as pq_exc

pytestmark = [pytest.mark.anyio, pytest.mark.asyncfakes(verify=False)]  # the problems are the point


def _problems(conn: object) -> list[str]:
    with pytest.raises(ExpectationsNotMet) as caught:
        conn.verify()  # type: ignore[attr-defined]
    return [
        line.split(". ", 1)[1] for line in str(caught.value).splitlines() if line[:5].strip()[:-1].isdigit()
    ]


async def test_a_generic_transaction_never_entered_is_reported() -> None:
    """tx = conn.transaction() without async with: the writes ran outside it; verify() says so."""
    conn = FakeConnection()
    conn.transaction()  # never entered
    async with conn.transaction():
        await conn.execute("UPDATE t SET a = 1")

    assert _problems(conn) == [
        "transaction #0 was created but never started: enter it with `async with` (or call start()). "
        "Without that, the statements meant for it run outside any transaction, and in production the "
        "write is not atomic."
    ]


async def test_started_and_failed_transactions_are_not_reported() -> None:
    """Only the state 'new' is reported: a transaction whose start failed did try to run."""
    conn = FakeConnection()
    conn.when(sql="BEGIN").raises_once(ConnectionResetError)
    with pytest.raises(ConnectionResetError):
        async with conn.transaction():
            pass
    tx = conn.transaction()
    await tx.start()
    await tx.rollback()

    conn.verify()


async def test_asyncpg_transaction_never_started_names_start() -> None:
    """The asyncpg flavour names start() as the other way in."""
    conn = apg.FakeConnection()
    conn.transaction()

    (problem,) = _problems(conn)
    assert problem.startswith(
        "transaction #0 was created but never started: enter it with `async with` (or call start())."
    )


async def test_asyncpg_commit_after_a_failed_statement_is_reported() -> None:
    """Committing an aborted transaction (explicitly, via async with, or by executing COMMIT) is reported."""
    conn = apg.FakeConnection()
    conn.fetchval.raises(apg.postgres_error("22012", "division by zero"))
    tx = conn.transaction()
    await tx.start()
    with pytest.raises(apg.error_class("DivisionByZeroError")):
        await conn.fetchval("SELECT 1/0")
    await tx.commit()
    async with conn.transaction():
        with pytest.raises(apg.error_class("DivisionByZeroError")):
            await conn.fetchval("SELECT 1/0")
    await conn.execute("BEGIN")
    with pytest.raises(apg.error_class("DivisionByZeroError")):
        await conn.fetchval("SELECT 1/0")
    assert "ROLLBACK" == await conn.execute("COMMIT")
    async with conn.transaction():  # a clean one: nothing to report
        await conn.execute("SELECT 1")

    tail = (
        ": PostgreSQL rolled the transaction back instead, and asyncpg raised nothing, so its writes are "
        "lost. Roll back after catching a database error (or let the error leave the `async with` block)."
    )
    assert _problems(conn) == [
        "transaction #0 was committed after #1 fetchval('SELECT 1/0', ()) [in transaction #0] raised "
        "DivisionByZeroError" + tail,
        "transaction #1 was committed after #4 fetchval('SELECT 1/0', ()) [in transaction #1] raised "
        "DivisionByZeroError" + tail,
        "a COMMIT was executed (its status was 'ROLLBACK') after #7 fetchval('SELECT 1/0', ()) raised "
        "DivisionByZeroError" + tail,
    ]


async def test_asyncpg_a_cancelled_statement_is_named_as_cancelled() -> None:
    """A statement cancelled in a transaction aborts it too; the report says it was cancelled."""
    import anyio

    conn = apg.FakeConnection()
    conn.fetchval.hangs_once()
    tx = conn.transaction()
    await tx.start()
    with anyio.move_on_after(0.01):
        await conn.fetchval("SELECT pg_sleep(10)")
    await tx.commit()

    (problem,) = _problems(conn)
    assert problem.startswith(
        "transaction #0 was committed after #1 fetchval('SELECT pg_sleep(10)', ()) [in transaction #0] "
        "was cancelled: PostgreSQL rolled"
    )


async def test_psqlpy_transaction_never_begun_names_begin() -> None:
    """The psqlpy flavour names begin(); committing without begin() is reported too."""
    conn = pq.FakeConnection()
    conn.transaction()
    tx = conn.transaction()
    await tx.execute("INSERT INTO t VALUES (1)")
    await tx.commit()

    assert _problems(conn) == [
        "transaction #0 was created but never started: enter it with `async with` (or call begin()). "
        "Without that, the statements meant for it run outside any transaction, and in production the "
        "write is not atomic.",
        "transaction #1 was ended (commit()) without begin(): psqlpy sent COMMIT outside any transaction, "
        "so the statements before it ran one by one, and in production the write is not atomic. Use "
        "`async with conn.transaction():` or `await tx.begin()`.",
    ]


async def test_psqlpy_a_user_built_server_error_aborts_the_transaction() -> None:
    """raises(TransactionExecuteError("duplicate key ...")) aborts the transaction like a server error."""
    conn = pq.FakeConnection()
    conn.execute.raises_once(pq_exc.TransactionExecuteError("duplicate key value violates unique constraint"))
    tx = conn.transaction()
    await tx.begin()
    with pytest.raises(pq_exc.TransactionExecuteError):
        await tx.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(pq_exc.Error, match="current transaction is aborted"):
        await tx.execute("SELECT 1")
    await tx.rollback()
    tx.assert_rolled_back()


@pytest.mark.parametrize(
    "error",
    [
        pq_exc.PyToRustValueMappingError("Can't convert value from python to rust type"),
        pq_exc.RustToPyValueMappingError("Can't convert value from driver to python type"),
        pq_exc.ConnectionClosedError("Underlying connection is returned to the pool"),
        pq_exc.ConnectionPoolExecuteError("Connection pool execute error"),
    ],
)
async def test_psqlpy_client_side_errors_do_not_abort(error: Exception) -> None:
    """Errors psqlpy raises only on the client side leave the transaction usable."""
    conn = pq.FakeConnection()
    conn.execute.raises_once(error)
    async with conn.transaction() as tx:
        with pytest.raises(type(error)):
            await tx.execute("SELECT 1")
        await tx.execute("SELECT 1")
    tx.assert_committed()


async def test_psqlpy_no_row_for_fetch_row_does_not_abort() -> None:
    """fetch_row finding no row is psqlpy's own count: the server ran the query, the transaction goes on."""
    conn = pq.FakeConnection()
    async with conn.transaction() as tx:
        with pytest.raises(pq_exc.ConnectionExecuteError, match="unexpected number of rows"):
            await tx.fetch_row("SELECT 1 WHERE false")
        await tx.execute("SELECT 1")
    tx.assert_committed()


async def test_psycopg_transaction_never_entered_names_only_async_with() -> None:
    """psycopg's transaction() is entered with async with only, and the report says so."""
    from asyncfakes.psycopg import FakeAsyncConnection

    conn = FakeAsyncConnection()
    conn.transaction()

    assert _problems(conn) == [
        "transaction #0 was created but never started: enter it with `async with`. Without that, the "
        "statements meant for it run outside any transaction, and in production the write is not atomic."
    ]
