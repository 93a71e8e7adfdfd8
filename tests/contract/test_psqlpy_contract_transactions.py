"""Contract: psqlpy transactions, savepoints and the aborted state behave on the fake as on real psqlpy.

Every scenario runs on the fake and on real psqlpy against PostgreSQL (see _psqlpy_support).
"""

from __future__ import annotations

from typing import Any

import pytest

from asyncfakes.psqlpy import IsolationLevel, ReadVariant, serialization_failure, unique_violation
from tests.contract._psqlpy_support import Side, anyio_backend, caught, db, psqlpy_side

__all__ = ["anyio_backend", "db", "psqlpy_side"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TABLE t (id int PRIMARY KEY)"
INSERT = "INSERT INTO t VALUES ($1)"
COUNT = "SELECT count(*) FROM t"
CLOSED = ("TransactionClosedError", "Underlying connection is returned to the pool")
ABORTED = "db error: ERROR: current transaction is aborted, commands ignored until end of transaction block"
DUPLICATE = 'db error: ERROR: duplicate key value violates unique constraint "t_pkey"\nDETAIL: Key (id)=(1) already exists.'


def fail_duplicates(db: Side) -> None:
    """On the fake, the second INSERT of id 1 fails as the primary key makes it fail on the server."""
    if db.fake:
        db.fake.when(sql=INSERT, params=[1]).returns_once([]).raises_once(
            unique_violation("t_pkey", detail="Key (id)=(1) already exists.")
        )


async def test_async_with_begins_and_commits(db: Side) -> None:
    """`async with` begins (in_transaction() is True) and commits; the transaction is then finished."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.fetch_val.returns(1)

    async with db.conn.transaction() as tx:
        inside = await db.conn.in_transaction()
        await tx.execute(INSERT, [1])

    assert (True, False, 1) == (inside, await db.conn.in_transaction(), await db.conn.fetch_val(COUNT))
    assert CLOSED == await caught(tx.execute("SELECT 1"))


async def test_an_error_in_the_body_rolls_back_and_propagates_unchanged(db: Side) -> None:
    """The body's exception rolls the transaction back and reaches the caller as it was."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.fetch_val.returns(0)

    with pytest.raises(RuntimeError, match="^boom$"):
        async with db.conn.transaction() as tx:
            await tx.execute(INSERT, [1])
            raise RuntimeError("boom")

    assert (False, 0) == (await db.conn.in_transaction(), await db.conn.fetch_val(COUNT))


async def test_an_explicit_commit_inside_async_with_makes_the_exit_raise(db: Side) -> None:
    """commit() inside the block takes effect, then leaving the block raises TransactionClosedError."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.fetch_val.returns(1)

    with pytest.raises(Exception, match="^Underlying connection is returned to the pool$") as exit_error:
        async with db.conn.transaction() as tx:
            await tx.execute(INSERT, [1])
            await tx.commit()

    assert ("TransactionClosedError", 1) == (type(exit_error.value).__name__, await db.conn.fetch_val(COUNT))


async def test_a_finished_transaction_refuses_everything(db: Side) -> None:
    """After commit, commit, rollback, statements, begin and savepoints raise TransactionClosedError."""
    tx = db.conn.transaction()
    await tx.begin()
    await tx.commit()

    errors = [
        await caught(tx.commit()),
        await caught(tx.rollback()),
        await caught(tx.execute("SELECT 1")),
        await caught(tx.fetch_val("SELECT 1")),
        await caught(tx.begin()),
        await caught(tx.create_savepoint("sp")),
    ]

    assert [CLOSED] * 6 == errors


@pytest.mark.asyncfakes(verify=False)  # verify() reports this on purpose (#10 item 7)
async def test_before_begin_statements_autocommit_and_commit_ends_it(db: Side) -> None:
    """A transaction not begun runs statements in autocommit; commit() then ends it without a word."""
    await db.setup(TABLE)
    if db.fake:
        db.fake.fetch_val.returns(1)
    tx = db.conn.transaction()

    await tx.execute(INSERT, [1])
    outside = await db.conn.in_transaction()
    assert None is await tx.commit()

    assert (False, 1, CLOSED) == (outside, await db.conn.fetch_val(COUNT), await caught(tx.begin()))


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_begin_twice_and_nested_blocks_raise_nothing(db: Side) -> None:
    """psqlpy has no nested transactions, but a second begin or an inner block raises nothing."""
    tx = db.conn.transaction()
    await tx.begin()
    await tx.begin()
    async with tx, db.conn.transaction():
        pass

    assert False is await db.conn.in_transaction()


async def test_transaction_checks_its_argument_types_at_once(db: Side) -> None:
    """transaction() takes psqlpy's enums and a bool; anything else is a TypeError before any SQL."""
    cases: list[tuple[dict[str, Any], str]] = [
        ({"isolation_level": "serializable"}, "'str' object is not an instance of 'IsolationLevel'"),
        ({"isolation_level": 1}, "'int' object is not an instance of 'IsolationLevel'"),
        ({"read_variant": "ro"}, "'str' object is not an instance of 'ReadVariant'"),
        ({"deferrable": "yes"}, "'str' object is not an instance of 'bool'"),
    ]
    for kwargs, expected in cases:
        with pytest.raises(TypeError) as error:
            db.conn.transaction(**kwargs)
        assert expected == str(error.value).splitlines()[0]


async def test_isolation_level_read_variant_and_deferrable_reach_the_server(db: Side) -> None:
    """The options become START TRANSACTION ISOLATION LEVEL ... READ ONLY DEFERRABLE."""
    if db.fake:
        db.fake.fetch_row.returns(
            {
                "transaction_isolation": "serializable",
                "transaction_read_only": "on",
                "transaction_deferrable": "on",
            }
        )
    show = (
        "SELECT current_setting('transaction_isolation') AS transaction_isolation, "
        "current_setting('transaction_read_only') AS transaction_read_only, "
        "current_setting('transaction_deferrable') AS transaction_deferrable"
    )

    async with db.conn.transaction(
        isolation_level=IsolationLevel.Serializable, read_variant=ReadVariant.ReadOnly, deferrable=True
    ) as tx:
        settings = (await tx.fetch_row(show)).result()

    assert {
        "transaction_isolation": "serializable",
        "transaction_read_only": "on",
        "transaction_deferrable": "on",
    } == settings
    if db.fake:
        db.fake.assert_executed("START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE")


async def test_a_failed_statement_aborts_the_transaction_in_psqlpys_shapes(db: Side) -> None:
    """After a failed statement every statement fails; its class depends on method, path and cache."""
    await db.setup(TABLE)
    fail_duplicates(db)
    tx = db.conn.transaction()
    await tx.begin()
    await tx.execute(INSERT, [1])

    errors = [
        await caught(tx.execute(INSERT, [1])),
        await caught(tx.execute("SELECT 2")),
        await caught(tx.fetch_row("SELECT 3")),
        await caught(tx.fetch_val("SELECT 4")),
        await caught(tx.execute_many(INSERT, [[5]])),
        await caught(tx.execute_many("SELECT $1::int", [[5]])),
        await caught(tx.execute_batch("SELECT 6")),
        await caught(tx.create_savepoint("sp")),
        await caught(tx.prepare("SELECT 7")),
        await caught(db.conn.execute("SELECT 8")),
        await caught(db.conn.fetch_val("SELECT 9")),
        await caught(tx.execute(INSERT, [2])),
    ]
    await tx.rollback()

    assert [
        ("ConnectionExecuteError", f"Cannot execute query, error - {DUPLICATE}"),
        ("DatabaseError", ABORTED),
        ("DatabaseError", ABORTED),
        ("DatabaseError", ABORTED),
        ("ConnectionExecuteError", f"Cannot open transaction wrap in execute_many: {ABORTED}"),
        ("ConnectionExecuteError", f"Cannot build statement in execute_many: {ABORTED}"),
        ("DatabaseError", ABORTED),
        ("DatabaseError", ABORTED),
        ("DatabaseError", ABORTED),
        ("ConnectionExecuteError", f"Cannot execute query, error - {ABORTED}"),
        ("DatabaseError", ABORTED),
        # The INSERT is already prepared on this connection, so it fails at execute time instead.
        ("ConnectionExecuteError", f"Cannot execute query, error - {ABORTED}"),
    ] == errors
    assert False is await db.conn.in_transaction()


async def test_fetch_row_cardinality_and_parameter_errors_do_not_abort(db: Side) -> None:
    """psqlpy's own refusals (row count, parameters) leave the transaction usable."""
    if db.fake:
        db.fake.fetch_row.returns_once([])
        db.fake.fetch_val.returns(1)

    async with db.conn.transaction() as tx:
        await caught(tx.fetch_row("SELECT 1 WHERE false"))
        await caught(tx.fetch_val("SELECT $1::int", 5))
        await caught(tx.fetch_val("SELECT $1::int", []))
        value = await tx.fetch_val("SELECT 1")

    assert 1 == value


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_commit_after_a_failure_returns_quietly_and_rolls_back(db: Side) -> None:
    """commit() of an aborted transaction raises nothing, but the server rolled everything back."""
    await db.setup(TABLE)
    fail_duplicates(db)
    if db.fake:
        db.fake.fetch_val.returns(0)

    async with db.conn.transaction() as tx:
        await tx.execute(INSERT, [1])
        swallowed = await caught(tx.execute(INSERT, [1]))

    assert ("ConnectionExecuteError", 0) == (swallowed[0], await db.conn.fetch_val(COUNT))
    if db.fake:
        tx.assert_rolled_back()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_rollback_to_a_savepoint_recovers_from_a_failure(db: Side) -> None:
    """ROLLBACK TO SAVEPOINT ends the aborted state and keeps the work done before the savepoint."""
    await db.setup(TABLE)
    fail_duplicates(db)
    if db.fake:
        db.fake.fetch_val.returns(2)

    async with db.conn.transaction() as tx:
        await tx.execute(INSERT, [1])
        await tx.create_savepoint("sp")
        await caught(tx.execute(INSERT, [1]))
        await tx.rollback_savepoint("sp")
        await tx.execute(INSERT, [2])
        await tx.release_savepoint("sp")

    assert 2 == await db.conn.fetch_val(COUNT)


async def test_savepoint_misuse_fails_as_postgresql_says(db: Side) -> None:
    """Savepoints outside a block, unknown, destroyed or badly named fail with the server's words."""
    tx = db.conn.transaction()
    outside = [
        await caught(tx.create_savepoint("a")),
        await caught(tx.rollback_savepoint("a")),
        await caught(tx.release_savepoint("a")),
    ]
    await tx.begin()
    await tx.create_savepoint("a")
    await tx.create_savepoint("b")
    await tx.rollback_savepoint("a")
    destroyed = await caught(tx.rollback_savepoint("b"))
    await tx.rollback()
    tx = db.conn.transaction()
    await tx.begin()
    bad_name = await caught(tx.create_savepoint("bad-name"))
    await tx.rollback()

    assert [
        ("DatabaseError", "db error: ERROR: SAVEPOINT can only be used in transaction blocks"),
        ("DatabaseError", "db error: ERROR: ROLLBACK TO SAVEPOINT can only be used in transaction blocks"),
        ("DatabaseError", "db error: ERROR: RELEASE SAVEPOINT can only be used in transaction blocks"),
    ] == outside
    assert ("DatabaseError", 'db error: ERROR: savepoint "b" does not exist') == destroyed
    assert ("DatabaseError", 'db error: ERROR: syntax error at or near "-"') == bad_name


async def test_a_serialization_failure_on_a_statement(db: Side) -> None:
    """A concurrent update under REPEATABLE READ fails the UPDATE with a serialization failure."""
    await db.setup("CREATE TABLE s (id int PRIMARY KEY, v int)", "INSERT INTO s VALUES (1, 0)")
    update = "UPDATE s SET v = v + 1 WHERE id = 1"
    if db.fake:
        db.fake.fetch_val.returns(0)
        db.fake.execute.when(sql=update).raises(serialization_failure())
    other = await db.other()
    mine = db.conn.transaction(isolation_level=IsolationLevel.RepeatableRead)
    theirs = other.transaction(isolation_level=IsolationLevel.RepeatableRead)
    await mine.begin()
    await theirs.begin()
    await mine.fetch_val("SELECT v FROM s WHERE id = 1")

    await theirs.execute("UPDATE s SET v = v + 1 WHERE id = 1 RETURNING v")
    await theirs.commit()
    error = await caught(mine.execute(update))
    await mine.rollback()

    assert (
        "ConnectionExecuteError",
        "Cannot execute query, error - db error: ERROR: could not serialize access due to concurrent update",
    ) == error


async def test_a_serialization_failure_on_commit(db: Side) -> None:
    """Two SERIALIZABLE transactions with crossed reads and writes: the second commit fails."""
    await db.setup("CREATE TABLE s (id int PRIMARY KEY, v int)", "INSERT INTO s VALUES (1, 0), (2, 0)")
    if db.fake:
        db.fake.fetch_val.returns(0)
        db.fake.when(sql="COMMIT").returns_once(None).raises_once(serialization_failure())
    other = await db.other()
    first = other.transaction(isolation_level=IsolationLevel.Serializable)
    second = db.conn.transaction(isolation_level=IsolationLevel.Serializable)
    await first.begin()
    await second.begin()
    await first.fetch_val("SELECT sum(v) FROM s")
    await second.fetch_val("SELECT sum(v) FROM s")
    await first.execute("UPDATE s SET v = v + 1 WHERE id = 1")
    await second.execute("UPDATE s SET v = v + 1 WHERE id = 2")
    await first.commit()

    error = await caught(second.commit())

    assert (
        "TransactionCommitError",
        "Transaction commit error: Cannot execute COMMIT statement, error - db error: ERROR: could not "
        "serialize access due to read/write dependencies among transactions\nDETAIL: Reason code: Canceled "
        "on identification as a pivot, during commit attempt.\nHINT: The transaction might succeed if retried.",
    ) == error


async def test_a_deferred_constraint_fails_the_commit(db: Side) -> None:
    """A deferred unique constraint is checked at COMMIT: TransactionCommitError with the server's text."""
    await db.setup("CREATE TABLE d (id int, CONSTRAINT d_u UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)")
    if db.fake:
        db.fake.when(sql="COMMIT").raises_once(unique_violation("d_u", detail="Key (id)=(1) already exists."))
        db.fake.execute.when(sql="SELECT 1 AS n").returns([{"n": 1}])
    tx = db.conn.transaction()
    await tx.begin()
    await tx.execute("INSERT INTO d VALUES (1), (1)")

    error = await caught(tx.commit())

    assert (
        "TransactionCommitError",
        "Transaction commit error: Cannot execute COMMIT statement, error - db error: ERROR: duplicate key "
        'value violates unique constraint "d_u"\nDETAIL: Key (id)=(1) already exists.',
    ) == error
    # psqlpy's flag stays up after a failed commit, and the transaction still answers until rolled back.
    assert True is await db.conn.in_transaction()
    assert [{"n": 1}] == (await tx.execute("SELECT 1 AS n")).result()
    await tx.rollback()
    assert False is await db.conn.in_transaction()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM nope WHERE id = $1", 'relation "nope" does not exist'),
        ("SELECT nocol FROM t WHERE id = $1", 'column "nocol" does not exist'),
        ("SELEC id FROM t WHERE id = $1", 'syntax error at or near "SELEC"'),
    ],
)
async def test_a_statement_with_parameters_failing_to_prepare_is_a_plain_database_error(
    db: Side, sql: str, message: str
) -> None:
    """With parameters, a failure to prepare is DatabaseError without a prefix, on the connection and
    in a transaction; without parameters execute/fetch on the connection add "Cannot execute query"."""
    from asyncfakes.psqlpy import postgres_error

    await db.setup("CREATE TABLE t (id int)")
    if db.fake:
        db.fake.when(sql=sql).raises(postgres_error(message, at="prepare"))
        db.fake.when(sql=sql.replace(" WHERE id = $1", "")).raises(postgres_error(message, at="prepare"))
    plain = sql.replace(" WHERE id = $1", "")
    text = f"db error: ERROR: {message}"

    on_conn = [
        await caught(getattr(db.conn, m)(sql, [1])) for m in ("execute", "fetch", "fetch_row", "fetch_val")
    ]
    unprepared = await caught(db.conn.execute(sql, [1], prepared=False))
    without = [await caught(getattr(db.conn, m)(plain)) for m in ("execute", "fetch", "fetch_row")]
    in_tx: list[tuple[str, str]] = []
    for method in ("execute", "fetch", "fetch_row", "fetch_val"):
        tx = db.conn.transaction()
        await tx.begin()
        in_tx.append(await caught(getattr(tx, method)(sql, [1])))
        await tx.rollback()

    assert [("DatabaseError", text)] * 4 == on_conn
    assert ("DatabaseError", text) == unprepared
    assert [
        ("ConnectionExecuteError", f"Cannot execute query, error - {text}"),
        ("ConnectionExecuteError", f"Cannot execute query, error - {text}"),
        ("DatabaseError", text),
    ] == without
    assert [("DatabaseError", text)] * 4 == in_tx
