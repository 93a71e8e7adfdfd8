"""Contract: asyncfakes.psycopg's transaction status, blocks, savepoints and INERROR match real psycopg 3."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from asyncfakes.psycopg import Result, unique_violation
from tests.contract._psycopg_support import Side, anyio_backend, caught, db, psycopg_side, status

__all__ = ["anyio_backend", "db", "psycopg_side"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TABLE t (id int PRIMARY KEY, name text)"
INSERT = "INSERT INTO t VALUES (%s, %s)"
COUNT = "SELECT count(*) AS n FROM t"
ABORTED = "current transaction is aborted, commands ignored until end of transaction block"
IN_BLOCK = (
    "Explicit commit() forbidden within a Transaction context. (Transaction will be automatically "
    "committed on successful exit from context.)"
)


def leave(transaction: Any = None) -> None:
    """Raise psycopg.Rollback (a function, so type checkers see the code after the block run)."""
    raise psycopg.Rollback(transaction)


async def count_rows(db: Side, expected_on_fake: int) -> int:
    """How many rows t holds, seen from a new connection (scripted on the fake)."""
    other = await db.connect(autocommit=True)
    if db.fake:
        other.execute.returns([{"n": expected_on_fake}])
    row = await (await other.execute(COUNT)).fetchone()
    return int(row[0])


async def test_the_first_statement_opens_a_transaction_commit_ends_it(db: Side) -> None:
    """Autocommit off: IDLE, a SELECT makes it INTRANS, commit() makes it IDLE again."""
    steps = [status(db.conn)]
    await db.conn.execute("SELECT 1")
    steps.append(status(db.conn))
    await db.conn.commit()
    steps.append(status(db.conn))

    assert ["IDLE", "INTRANS", "IDLE"] == steps


async def test_commit_and_rollback_when_idle_do_nothing(db: Side) -> None:
    """commit()/rollback() on an idle connection raise nothing and leave it IDLE."""
    await db.conn.commit()
    await db.conn.rollback()

    assert "IDLE" == status(db.conn)


async def test_autocommit_stays_idle(db: Side) -> None:
    """With autocommit on, statements never leave the connection in a transaction."""
    await db.conn.set_autocommit(True)
    await db.conn.execute("SELECT 1")

    assert (True, "IDLE") == (db.conn.autocommit, status(db.conn))


async def test_a_failed_statement_aborts_the_transaction_until_rollback(db: Side) -> None:
    """INERROR: every statement fails with InFailedSqlTransaction until rollback()."""
    await db.setup(TABLE, "INSERT INTO t VALUES (1, 'a')")
    if db.fake:
        db.fake.execute.raises_once(unique_violation())
    await caught(db.conn.execute(INSERT, (1, "a")))

    after_error = status(db.conn)
    refused = await caught(db.conn.execute("SELECT 1"))
    await db.conn.rollback()

    assert ("INERROR", ("InFailedSqlTransaction", "25P02", ABORTED), "IDLE") == (
        after_error,
        refused,
        status(db.conn),
    )


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_commit_in_a_failed_transaction_rolls_back_silently(db: Side) -> None:
    """commit() in INERROR raises nothing, ends IDLE, and the earlier insert is gone."""
    await db.setup(TABLE)
    await db.conn.execute(INSERT, (1, "a"))
    if db.fake:
        db.fake.execute.raises_once(psycopg.errors.lookup("22012")("division by zero"))
    await caught(db.conn.execute("SELECT 1/0"))

    await db.conn.commit()

    assert ("IDLE", 0) == (status(db.conn), await count_rows(db, 0))
    if db.fake:
        with pytest.raises(AssertionError, match="rolled it back instead"):
            db.fake.verify()


async def test_an_error_in_autocommit_leaves_the_connection_idle(db: Side) -> None:
    """Autocommit: a failed statement leaves IDLE, the next statement works."""
    await db.conn.set_autocommit(True)
    if db.fake:
        db.fake.execute.raises_once(psycopg.errors.lookup("22012")("division by zero"))
    await caught(db.conn.execute("SELECT 1/0"))

    await db.conn.execute("SELECT 1")

    assert "IDLE" == status(db.conn)


async def test_a_client_side_error_does_not_abort(db: Side) -> None:
    """A parameter mistake fails before the server sees it: the transaction stays INTRANS."""
    await caught(db.conn.execute("SELECT %s", []))

    assert "INTRANS" == status(db.conn)


async def test_a_block_on_an_idle_connection_is_the_whole_transaction(db: Side) -> None:
    """transaction() when IDLE: INTRANS inside, committed and IDLE after; tx is bound."""
    await db.setup(TABLE)
    async with db.conn.transaction() as tx:
        inside = status(db.conn)
        await db.conn.execute(INSERT, (1, "a"))

    assert ("INTRANS", "IDLE", "", tx.status.value) == (
        inside,
        status(db.conn),
        tx.savepoint_name,
        "committed",
    )
    assert 1 == await count_rows(db, 1)


async def test_a_block_inside_a_transaction_is_a_savepoint(db: Side) -> None:
    """Inside an open transaction a block is a savepoint '_pg3_1' and commits nothing."""
    await db.setup(TABLE)
    await db.conn.execute(INSERT, (1, "a"))
    async with db.conn.transaction() as tx:
        name = tx.savepoint_name

    assert ("_pg3_1", "INTRANS") == (name, status(db.conn))
    assert 0 == await count_rows(db, 0)


async def test_a_failing_nested_block_rolls_back_to_its_savepoint(db: Side) -> None:
    """The error propagates; the outer transaction is INTRANS again, not INERROR, and keeps working."""
    await db.setup(TABLE)
    async with db.conn.transaction():
        await db.conn.execute(INSERT, (1, "a"))
        if db.fake:
            db.fake.execute.raises_once(unique_violation())
        with pytest.raises(psycopg.errors.UniqueViolation):
            async with db.conn.transaction() as inner:
                await db.conn.execute(INSERT, (1, "a"))
        after = status(db.conn)
        await db.conn.execute("SELECT 1")

    assert ("INTRANS", "rolled_back_with_error") == (after, inner.status.value)  # pyright: ignore[reportPossiblyUnboundVariable]
    assert 1 == await count_rows(db, 1)


async def test_raising_rollback_leaves_the_block_quietly(db: Side) -> None:
    """psycopg.Rollback() rolls the block back and is swallowed."""
    await db.setup(TABLE)
    async with db.conn.transaction() as tx:
        await db.conn.execute(INSERT, (1, "a"))
        leave()

    assert ("rolled_back_explicitly", "IDLE") == (tx.status.value, status(db.conn))
    assert 0 == await count_rows(db, 0)


async def test_rollback_of_the_outer_block_unwinds_both(db: Side) -> None:
    """Rollback(outer) raised in an inner block rolls back both and is swallowed by the outer."""
    await db.setup(TABLE)
    async with db.conn.transaction() as outer, db.conn.transaction() as inner:
        await db.conn.execute(INSERT, (1, "a"))
        leave(outer)

    assert ("rolled_back_explicitly", "rolled_back_explicitly", "IDLE") == (
        outer.status.value,
        inner.status.value,
        status(db.conn),
    )


async def test_force_rollback_undoes_a_successful_block(db: Side) -> None:
    """force_rollback=True rolls back even without an error."""
    await db.setup(TABLE)
    async with db.conn.transaction(force_rollback=True) as tx:
        await db.conn.execute(INSERT, (1, "a"))

    assert ("rolled_back_explicitly", 0) == (tx.status.value, await count_rows(db, 0))


async def test_commit_and_rollback_are_forbidden_inside_a_block(db: Side) -> None:
    """commit() and rollback() inside a block raise ProgrammingError."""
    async with db.conn.transaction():
        commit = await caught(db.conn.commit())
        rollback = await caught(db.conn.rollback())

    assert ("ProgrammingError", None, IN_BLOCK) == commit
    assert rollback[2].startswith("Explicit rollback() forbidden within a Transaction context.")


async def test_a_block_can_be_used_only_once(db: Side) -> None:
    """Entering the same transaction object again is a TypeError."""
    async with db.conn.transaction() as tx:
        pass

    with pytest.raises(TypeError, match="^transaction blocks can be used only once$"):
        async with tx:
            pass


async def test_settings_change_only_when_idle(db: Side) -> None:
    """set_autocommit in a transaction and inside a block raise ProgrammingError."""
    await db.conn.execute("SELECT 1")
    intrans = await caught(db.conn.set_autocommit(True))
    await db.conn.rollback()
    async with db.conn.transaction():
        in_block = await caught(db.conn.set_read_only(True))

    assert (
        "ProgrammingError",
        None,
        "can't change 'autocommit' now: connection in transaction status INTRANS",
    ) == intrans
    assert (
        "ProgrammingError",
        None,
        "can't change 'read_only' now: connection.transaction() context in progress",
    ) == in_block


async def test_autocommit_is_read_only_on_async_connections(db: Side) -> None:
    """conn.autocommit = True raises AttributeError pointing at set_autocommit()."""
    with pytest.raises(AttributeError) as info:
        db.conn.autocommit = True

    assert (
        "'the 'autocommit' property is read-only on async connections: please use 'await .set_autocommit()' instead."
        == str(info.value)
    )


async def test_settings_shape_the_transactions(db: Side) -> None:
    """set_isolation_level / set_read_only apply to the next transaction (writing then fails)."""
    await db.setup(TABLE)
    await db.conn.set_isolation_level(psycopg.IsolationLevel.SERIALIZABLE)
    await db.conn.set_read_only(True)
    await db.conn.set_deferrable(False)
    if db.fake:
        db.fake.execute.raises_once(
            psycopg.errors.lookup("25006")("cannot execute INSERT in a read-only transaction")
        )

    error = await caught(db.conn.execute(INSERT, (1, "a")))

    assert ("ReadOnlySqlTransaction", "25006", "cannot execute INSERT in a read-only transaction") == error
    assert (psycopg.IsolationLevel.SERIALIZABLE, True, False) == (
        db.conn.isolation_level,
        db.conn.read_only,
        db.conn.deferrable,
    )


async def test_async_with_commits_and_closes(db: Side) -> None:
    """async with conn: commit on success, then close."""
    await db.setup(TABLE)
    async with db.conn as conn:
        await conn.execute(INSERT, (1, "a"))

    assert (True, 1) == (db.conn.closed, await count_rows(db, 1))


async def test_async_with_rolls_back_on_error_and_closes(db: Side) -> None:
    """async with conn: the error propagates, the work is rolled back, the connection closed."""
    await db.setup(TABLE)
    with pytest.raises(ZeroDivisionError):
        async with db.conn as conn:
            await conn.execute(INSERT, (1, "a"))
            1 / 0  # noqa: B018  # pyright: ignore[reportUnusedExpression]

    assert (True, 0) == (db.conn.closed, await count_rows(db, 0))


async def test_a_query_in_a_transaction_that_found_nothing(db: Side) -> None:
    """Inside a transaction a scripted empty result keeps its columns and INTRANS."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.execute.returns(Result(columns=["id"], rows=[]))

    cur = await db.conn.execute("SELECT id FROM t")

    assert ([], ["id"], "INTRANS") == (
        await cur.fetchall(),
        [c.name for c in cur.description],
        status(db.conn),
    )
