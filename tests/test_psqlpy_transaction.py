"""asyncfakes.psqlpy FakeTransaction: psqlpy's lifecycle, its quirks, savepoints and the aborted state."""

from __future__ import annotations

import pytest

from asyncfakes import ExpectationsNotMet, UnexpectedCall
from asyncfakes.psqlpy import (
    FakeConnection,
    FakeTransaction,
    IsolationLevel,
    postgres_error,
    unique_violation,
)
from asyncfakes.psqlpy import exceptions as exc

pytestmark = pytest.mark.anyio

ABORTED = "current transaction is aborted, commands ignored until end of transaction block"


async def failed_transaction() -> tuple[FakeConnection, FakeTransaction]:
    """A begun transaction in which one INSERT failed with a unique violation."""
    conn = FakeConnection()
    conn.execute.when(sql="INSERT INTO t VALUES (1)").raises(unique_violation("t_pkey"))
    tx = conn.transaction()
    await tx.begin()
    with pytest.raises(exc.ConnectionExecuteError):
        await tx.execute("INSERT INTO t VALUES (1)")
    return conn, tx


async def test_begin_commit_and_rollback_send_psqlpys_statements() -> None:
    """begin sends START TRANSACTION with the options; commit and rollback their own statements."""
    conn = FakeConnection()
    first = conn.transaction(isolation_level=IsolationLevel.RepeatableRead, deferrable=False)
    await first.begin()
    await first.commit()
    second = conn.transaction()
    await second.begin()
    await second.rollback()

    assert [
        "START TRANSACTION ISOLATION LEVEL REPEATABLE READ NOT DEFERRABLE",
        "COMMIT;",
        "START TRANSACTION",
        "ROLLBACK;",
    ] == conn.calls.sql
    first.assert_committed()
    second.assert_rolled_back()
    assert "<psqlpy FakeTransaction #1 rolled_back>" == repr(second)


async def test_statements_through_the_transaction_record_on_the_connection() -> None:
    """tx.execute and friends answer from the connection's script and show in tx.calls."""
    conn = FakeConnection()
    conn.fetch.returns([{"a": 1}])
    conn.fetch_row.returns({"a": 2})
    conn.fetch_val.returns(3)
    conn.prepare.returns(["a"])

    async with conn.transaction() as tx:
        rows = (await tx.fetch("SELECT a")).result()
        row = (await tx.fetch_row("SELECT a")).result()
        value = await tx.fetch_val("SELECT a")
        await tx.execute_many("INSERT $1", [[1], [2]])
        await tx.execute_batch("SELECT 1; SELECT 2")
        statement = await tx.prepare("SELECT a")
        piped = [r.result() for r in await tx.pipeline([("SELECT 1", None), ("SELECT $1", [2])])]

    assert ([{"a": 1}], {"a": 2}, 3, ["a"], [[], []]) == (
        rows,
        row,
        value,
        [c.name for c in statement.columns()],
        piped,
    )
    assert 10 == len(tx.calls)
    assert {"fetch", "fetch_row", "fetch_val", "execute_many", "execute_batch", "prepare", "execute"} <= {
        call.method for call in tx.calls
    }


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_before_begin_statements_run_outside_any_transaction() -> None:
    """A transaction not begun runs statements in autocommit; commit() then finishes it."""
    conn = FakeConnection()
    tx = conn.transaction()

    await tx.execute("INSERT INTO t VALUES (1)")
    await tx.commit()

    assert [None, tx] == [call.transaction for call in conn.calls]
    tx.assert_committed()
    with pytest.raises(exc.TransactionClosedError):
        await tx.begin()


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_rollback_before_begin_also_finishes_it() -> None:
    """rollback() of a transaction never begun is quiet and final, like commit()."""
    conn = FakeConnection()
    tx = conn.transaction()

    await tx.rollback()

    tx.assert_rolled_back()
    with pytest.raises(exc.TransactionClosedError):
        await tx.rollback()


async def test_a_finished_transaction_raises_transaction_closed_error() -> None:
    """Statements, savepoints and a second commit on a committed transaction all raise."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        pass

    for run in (tx.execute("SELECT 1"), tx.create_savepoint("a"), tx.commit()):
        with pytest.raises(
            exc.TransactionClosedError, match="^Underlying connection is returned to the pool$"
        ):
            await run
    with pytest.raises(exc.TransactionClosedError):
        async with tx:
            pass


async def test_leaving_async_with_after_an_explicit_commit_raises() -> None:
    """An explicit commit inside the block works, then the exit raises TransactionClosedError."""
    conn = FakeConnection()

    tx = conn.transaction()
    with pytest.raises(exc.TransactionClosedError):
        async with tx:
            await tx.commit()

    tx.assert_committed()


async def test_an_error_in_the_body_rolls_back() -> None:
    """The body's exception rolls back and propagates unchanged."""
    conn = FakeConnection()

    tx = conn.transaction()
    with pytest.raises(KeyError):
        async with tx:
            raise KeyError("boom")

    tx.assert_rolled_back()
    assert ["start", "rollback"] == [call.method for call in conn.calls]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_begin_twice_and_nested_transactions_are_reported_by_verify() -> None:
    """PostgreSQL ignores a second BEGIN, so the fake raises nothing, but verify() explains the trap."""
    conn = FakeConnection()
    outer = conn.transaction()
    await outer.begin()
    await outer.begin()
    async with conn.transaction():
        pass
    await outer.commit()

    with pytest.raises(ExpectationsNotMet) as found:
        conn.verify()
    assert "2 problem(s)" in str(found.value)
    assert "begin() called twice" in str(found.value)
    assert "psqlpy has no nested transactions" in str(found.value)


async def test_a_failed_statement_aborts_until_rollback() -> None:
    """After a server error every statement fails as psqlpy reports it; rollback() recovers."""
    conn, tx = await failed_transaction()

    with pytest.raises(exc.DatabaseError, match=ABORTED):
        await tx.fetch_row("SELECT 1")
    with pytest.raises(
        exc.ConnectionExecuteError, match=f"Cannot execute query, error - db error: ERROR: {ABORTED}"
    ):
        await conn.execute("SELECT 2")
    await tx.rollback()

    assert [] == (await conn.execute("SELECT 3")).result()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_committing_an_aborted_transaction_rolls_it_back_and_verify_says_so() -> None:
    """commit() is quiet, as psqlpy's is, but the transaction is rolled back and verify() reports it."""
    conn, tx = await failed_transaction()

    await tx.commit()

    tx.assert_rolled_back()
    assert False is await conn.in_transaction()
    with pytest.raises(ExpectationsNotMet, match="was committed after a statement in it failed"):
        conn.verify()


async def test_a_scripted_non_server_error_does_not_abort() -> None:
    """Only errors PostgreSQL reports abort: a timeout scripted by the test leaves the transaction usable."""
    conn = FakeConnection()
    conn.fetch_val.raises_once(TimeoutError()).returns(1)

    async with conn.transaction() as tx:
        with pytest.raises(TimeoutError):
            await tx.fetch_val("SELECT 1")
        value = await tx.fetch_val("SELECT 1")

    assert 1 == value
    tx.assert_committed()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_savepoints_track_rollback_and_release() -> None:
    """rollback_savepoint keeps the point and drops later ones; release drops the point and later ones."""
    conn = FakeConnection()
    async with conn.transaction() as tx:
        for name in ("a", "b", "c"):
            await tx.create_savepoint(name)
        await tx.rollback_savepoint("b")
        after_rollback = list(conn._savepoints)  # pyright: ignore[reportPrivateUsage]
        await tx.release_savepoint("a")
        after_release = list(conn._savepoints)  # pyright: ignore[reportPrivateUsage]
        with pytest.raises(exc.DatabaseError, match='^db error: ERROR: savepoint "c" does not exist$'):
            await tx.release_savepoint("c")

    assert (["a", "b"], []) == (after_rollback, after_release)
    assert ["SAVEPOINT a", "SAVEPOINT b", "SAVEPOINT c", "ROLLBACK TO SAVEPOINT b"] == conn.calls.sql[1:5]
    tx.assert_rolled_back()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_rollback_to_a_savepoint_ends_the_aborted_state() -> None:
    """Recovery: a savepoint before the failure, rolled back to, makes statements work again."""
    conn = FakeConnection()
    conn.execute.when(sql="INSERT INTO t VALUES (1)").raises_once(postgres_error("boom"))

    async with conn.transaction() as tx:
        await tx.create_savepoint("sp")
        with pytest.raises(exc.ConnectionExecuteError):
            await tx.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(exc.DatabaseError, match=ABORTED):
            await tx.release_savepoint("sp")
        with pytest.raises(exc.DatabaseError, match='"nope" does not exist'):
            await tx.rollback_savepoint("nope")
        await tx.rollback_savepoint("sp")
        await tx.execute("INSERT INTO t VALUES (1)")

    tx.assert_committed()


async def test_savepoints_outside_a_transaction_or_badly_named_fail() -> None:
    """Outside a block PostgreSQL refuses savepoints (without aborting); a bad name is a syntax error."""
    conn = FakeConnection()
    tx = conn.transaction()
    with pytest.raises(
        exc.DatabaseError, match="^db error: ERROR: SAVEPOINT can only be used in transaction blocks$"
    ):
        await tx.create_savepoint("a")
    await tx.begin()

    with pytest.raises(exc.DatabaseError, match='^db error: ERROR: syntax error at or near "name"$'):
        await tx.create_savepoint("bad name")
    with pytest.raises(exc.DatabaseError, match=ABORTED):
        await tx.create_savepoint("good")
    await tx.rollback()


async def test_a_failed_commit_leaves_psqlpys_transaction_usable_until_rolled_back() -> None:
    """After a failed COMMIT the flag stays up and statements run; rollback() then ends it quietly."""
    conn = FakeConnection()
    conn.when(sql="COMMIT").raises_once(unique_violation("d_u"))
    tx = conn.transaction()
    await tx.begin()

    with pytest.raises(exc.TransactionCommitError):
        await tx.commit()
    flagged = await conn.in_transaction()
    await tx.execute("SELECT 1")
    await tx.rollback()

    assert (True, False) == (flagged, await conn.in_transaction())
    tx.assert_rolled_back()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_strict_connection_needs_statements_scripted_but_not_transaction_control() -> None:
    """strict=True: begin, savepoints, commit and prepare answer unscripted; a query does not."""
    conn = FakeConnection(strict=True)

    async with conn.transaction() as tx:
        await tx.create_savepoint("a")
        await tx.release_savepoint("a")
        statement = await tx.prepare("SELECT 1")
        with pytest.raises(UnexpectedCall, match="nothing is scripted for execute"):
            await statement.execute()

    tx.assert_committed()
