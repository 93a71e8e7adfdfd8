"""asyncfakes.psycopg transactions: recorded statements, savepoint names, failures at the edges."""

from __future__ import annotations

import psycopg
import pytest

from asyncfakes.psycopg import FakeAsyncConnection, serialization_failure, unique_violation

pytestmark = pytest.mark.anyio


async def test_blocks_record_begin_savepoint_release_commit() -> None:
    """The statements psycopg sends are recorded, savepoint names quoted as identifiers."""
    conn = FakeAsyncConnection()
    async with conn.transaction(savepoint_name="outer"), conn.transaction(savepoint_name='my "sp"'):
        await conn.execute("SELECT 1")

    assert [
        ("start", 'BEGIN; SAVEPOINT "outer"'),
        ("start", 'SAVEPOINT "my ""sp"""'),
        ("execute", "SELECT 1"),
        ("commit", 'RELEASE "my ""sp"""'),
        ("commit", "COMMIT"),
    ] == [(c.method, c.sql) for c in conn.calls]
    assert repr(conn.transactions[1]).startswith("<psycopg FakeAsyncTransaction #1 savepoint committed")


async def test_a_failing_begin_leaves_the_block_failed() -> None:
    """BEGIN scripted to fail: the error propagates, the block is FAILED and the connection IDLE."""
    conn = FakeAsyncConnection()
    conn.when(sql="BEGIN").raises_once(psycopg.OperationalError("boom"))
    tx = conn.transaction()

    with pytest.raises(psycopg.OperationalError):
        async with tx:
            pass  # pragma: no cover

    assert ("failed", "IDLE", 0) == (tx.status.value, conn.info.transaction_status.name, conn._blocks)  # pyright: ignore[reportPrivateUsage]


async def test_a_failing_commit_ends_the_transaction() -> None:
    """COMMIT failing (a serialization failure) leaves IDLE; the block's error propagates."""
    conn = FakeAsyncConnection()
    conn.when(sql="COMMIT").raises_once(serialization_failure())

    with pytest.raises(psycopg.errors.SerializationFailure):
        async with conn.transaction():
            await conn.execute("UPDATE t SET a = 1")

    assert ("IDLE", "failed") == (conn.info.transaction_status.name, conn.transactions[0].state)


async def test_a_failing_rollback_lets_the_original_error_through() -> None:
    """A rollback that fails on the way out does not replace the block's error."""
    conn = FakeAsyncConnection()
    conn.when(sql="ROLLBACK").raises_once(psycopg.OperationalError("gone"))

    with pytest.raises(ZeroDivisionError):
        async with conn.transaction():
            raise ZeroDivisionError


async def test_releasing_a_savepoint_in_a_failed_transaction_fails() -> None:
    """A nested block whose error was swallowed cannot RELEASE: InFailedSqlTransaction."""
    conn = FakeAsyncConnection()
    conn.when(sql="INSERT INTO t VALUES (1)").raises_once(unique_violation())
    await conn.execute("SELECT 1")

    with pytest.raises(psycopg.errors.InFailedSqlTransaction):
        async with conn.transaction():
            try:
                await conn.execute("INSERT INTO t VALUES (1)")
            except psycopg.errors.UniqueViolation:
                pass

    assert "INERROR" == conn.info.transaction_status.name


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_block_on_a_connection_closed_inside_it_is_failed() -> None:
    """Closing the connection inside a block leaves the block FAILED, without more statements."""
    conn = FakeAsyncConnection()

    async with conn.transaction() as tx:
        await conn.close()

    assert ("failed", True) == (tx.status.value, conn.closed)
