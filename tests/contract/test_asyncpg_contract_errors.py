"""Contract: the asyncpg fake's errors, lifecycle, concurrency, statements and cursors match asyncpg.

Every scenario runs on the fake and on real asyncpg against PostgreSQL (see _asyncpg_support).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from asyncfakes.asyncpg import (
    check_violation,
    error_class,
    foreign_key_violation,
    not_null_violation,
    query_cancelled,
    rows,
    undefined_column,
    undefined_table,
    unique_violation,
)
from tests.contract._asyncpg_support import Target, anyio_backend, db, error_name

__all__ = ["anyio_backend", "db"]

pytestmark = pytest.mark.anyio

TWO = "SELECT g AS n FROM generate_series(1, 2) g"


# --- errors ----------------------------------------------------------------------------------


async def test_unique_violation_carries_its_class_sqlstate_and_constraint(db: Target) -> None:
    """A duplicate key raises UniqueViolationError with 23505, the constraint and the table."""
    await db.setup("CREATE TEMP TABLE users (id int, email text CONSTRAINT users_email_key UNIQUE)")
    await db.setup("INSERT INTO users VALUES (1, 'a@example.com')")
    if db.fake:
        db.fake.execute.raises(
            unique_violation(
                "users_email_key", table="users", detail="Key (email)=(a@example.com) already exists."
            )
        )

    with pytest.raises(error_class("IntegrityConstraintViolationError")) as caught:
        await db.conn.execute("INSERT INTO users VALUES (2, 'a@example.com')")

    error: Any = caught.value
    assert ("UniqueViolationError", "23505", "users_email_key", "users") == (
        error_name(error),
        error.sqlstate,
        error.constraint_name,
        error.table_name,
    )
    assert str(error) == (
        'duplicate key value violates unique constraint "users_email_key"\n'
        "DETAIL:  Key (email)=(a@example.com) already exists."
    )


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("serialization_failure", "SerializationError"),
        ("deadlock_detected", "DeadlockDetectedError"),
        ("division_by_zero", "DivisionByZeroError"),
    ],
)
async def test_server_errors_are_asyncpg_classes_by_sqlstate(db: Target, code: str, name: str) -> None:
    """A server error arrives as asyncpg's class for its SQLSTATE (the fake's helpers agree)."""
    import asyncfakes.asyncpg as fakes

    if db.fake:
        helper = getattr(fakes, code, None)
        db.fake.execute.raises(helper() if helper else fakes.postgres_error("22012", "division by zero"))
    sql = f"DO $$ BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = '{code}'; END $$"

    with pytest.raises(error_class("PostgresError")) as caught:
        await db.conn.execute(sql)

    assert name == error_name(caught.value)
    assert isinstance(caught.value, error_class(name))


NAMED = [
    pytest.param(
        "INSERT INTO orders VALUES (1, 5)",
        lambda: foreign_key_violation(
            "orders_user_fk", table="orders", detail='Key (user_id)=(5) is not present in table "users".'
        ),
        id="foreign_key",
    ),
    pytest.param(
        "INSERT INTO users VALUES (2, NULL)",
        lambda: not_null_violation("email", table="users", detail="Failing row contains (2, null)."),
        id="not_null",
    ),
    pytest.param(
        "INSERT INTO orders VALUES (-1, NULL)",
        lambda: check_violation(
            "orders_id_positive", table="orders", detail="Failing row contains (-1, null)."
        ),
        id="check",
    ),
    pytest.param("SELECT * FROM nope", lambda: undefined_table("nope"), id="undefined_table"),
    pytest.param("SELECT x FROM users", lambda: undefined_column("x"), id="undefined_column"),
    pytest.param(
        "INSERT INTO users (x) VALUES (1)",
        lambda: undefined_column("x", table="users"),
        id="undefined_column_insert",
    ),
    pytest.param(
        "SELECT pg_sleep(1)",
        lambda: query_cancelled(statement_timeout=True),
        id="statement_timeout",
    ),
]


@pytest.mark.parametrize(("sql", "helper"), NAMED)
async def test_named_error_helpers_match_the_server(
    db: Target, sql: str, helper: Callable[[], Exception]
) -> None:
    """Each named helper builds what the server raises: class, SQLSTATE, text and fields."""
    await db.setup(
        "CREATE TEMP TABLE users (id int PRIMARY KEY, email text NOT NULL)",
        "CREATE TEMP TABLE orders (id int CONSTRAINT orders_id_positive CHECK (id > 0),"
        " user_id int CONSTRAINT orders_user_fk REFERENCES users)",
        "SET statement_timeout = 50",
    )
    if db.fake:
        db.fake.execute.raises(helper())

    with pytest.raises(error_class("PostgresError")) as caught:
        await db.conn.execute(sql)

    error: Any = caught.value
    fields = ("sqlstate", "constraint_name", "table_name", "column_name", "detail", "severity")
    assert helper().__class__ is type(error)
    assert (str(helper()), *(getattr(helper(), f) for f in fields)) == (
        str(error),
        *(getattr(error, f) for f in fields),
    )


async def test_a_connection_lost_mid_query_closes_the_connection(db: Target) -> None:
    """The connection dropping mid-query raises ConnectionDoesNotExistError; then it is closed."""
    import asyncfakes.asyncpg as fakes

    task = None
    if db.fake:
        db.fake.fetchval.raises_once(fakes.connection_lost())
    else:
        admin = await db.connect()
        pid = db.conn.get_server_pid()

        async def kill() -> None:
            await asyncio.sleep(0.2)
            await admin.fetchval("SELECT pg_terminate_backend($1)", pid)

        task = asyncio.ensure_future(kill())
    with pytest.raises(error_class("ConnectionDoesNotExistError")) as caught:
        await db.conn.fetchval("SELECT pg_sleep(5)")
    if task is not None:  # real: the backend was killed
        await task

    assert str(caught.value).startswith("connection was closed in the middle of operation")
    assert True is db.conn.is_closed()
    with pytest.raises(error_class("InterfaceError"), match="^connection is closed$"):
        await db.conn.fetchval("SELECT 1")


# --- lifecycle and concurrency -------------------------------------------------------------


async def test_a_second_operation_while_one_is_in_flight_is_refused(db: Target) -> None:
    """Two operations at once on one connection: the second raises InterfaceError, the first works."""
    if db.fake:
        db.fake.fetch.returns([{"pg_sleep": None}])
        db.fake.fetchval.returns(1)

    first: Any
    second: Any
    first, second = await asyncio.gather(  # asyncpg ships no types  # pyright: ignore[reportUnknownVariableType]
        db.conn.fetch("SELECT pg_sleep(0.1)"), db.conn.fetch("SELECT 1"), return_exceptions=True
    )

    assert [(None,)] == first
    assert isinstance(second, error_class("InterfaceError"))
    assert "cannot perform operation: another operation is in progress" == str(second)
    assert 1 == await db.conn.fetchval("SELECT 1")


async def test_a_closed_connection_refuses_everything(db: Target) -> None:
    """After close(): is_closed(), calls raise 'connection is closed', close() again is fine."""
    await db.conn.close()

    assert (True, False, None) == (db.conn.is_closed(), db.conn.is_in_transaction(), await db.conn.close())
    for method in (db.conn.fetch, db.conn.execute, db.conn.fetchval, db.conn.prepare):
        with pytest.raises(error_class("InterfaceError"), match="^connection is closed$"):
            await method("SELECT 1")
    with pytest.raises(error_class("InterfaceError"), match="^connection is closed$"):
        db.conn.transaction()
    with pytest.raises(error_class("InterfaceError"), match="^connection is closed$"):
        db.conn.cursor("SELECT 1")


async def test_terminate_closes_at_once(db: Target) -> None:
    """terminate() closes without waiting; later calls raise InterfaceError."""
    db.conn.terminate()

    assert True is db.conn.is_closed()
    with pytest.raises(error_class("InterfaceError"), match="^connection is closed$"):
        await db.conn.fetch("SELECT 1")


async def test_a_connection_is_not_an_async_context_manager(db: Target) -> None:
    """`async with conn:` fails on asyncpg's Connection, so it fails on the fake too."""
    with pytest.raises((TypeError, AttributeError)):
        async with db.conn:
            pass  # pragma: no cover


# --- prepared statements ---------------------------------------------------------------------


async def test_a_prepared_statement_runs_with_its_own_arguments(db: Target) -> None:
    """prepare() gives a statement with fetch/fetchrow/fetchval/executemany and its query."""
    query = "SELECT $1::int AS a, $2::text AS b"
    if db.fake:
        db.fake.when(sql=query).returns([{"a": 1, "b": "x"}])

    statement = await db.conn.prepare(query)

    assert (query, [(1, "x")], (1, "x"), "x") == (
        statement.get_query(),
        await statement.fetch(1, "x"),
        await statement.fetchrow(1, "x"),
        await statement.fetchval(1, "x", column=1),
    )
    assert None is await statement.executemany([(1, "x"), (2, "y")])
    with pytest.raises(
        error_class("InterfaceError"), match="expects 2 arguments for this query, 1 was passed"
    ):
        await statement.fetch(1)
    await db.conn.close()
    with pytest.raises(error_class("InterfaceError")) as closed:
        await statement.fetch(1, "x")
    assert "cannot call PreparedStatement.fetch(): the underlying connection is closed" == str(closed.value)


# --- cursors ---------------------------------------------------------------------------------


async def test_a_cursor_outside_a_transaction_is_refused(db: Target) -> None:
    """Awaiting or iterating a cursor outside a transaction raises NoActiveSQLTransactionError."""
    no_transaction = error_class("NoActiveSQLTransactionError")
    with pytest.raises(no_transaction, match="^cursor cannot be created outside of a transaction$"):
        await db.conn.cursor(TWO)
    with pytest.raises(no_transaction):
        async for _ in db.conn.cursor(TWO):
            pass  # pragma: no cover


async def test_a_cursor_moves_through_its_rows(db: Target) -> None:
    """fetchrow, fetch(n), forward(n) move through the rows; at the end [] and None."""
    query = "SELECT g AS n FROM generate_series(1, 5) g"
    if db.fake:
        db.fake.when(method="cursor").returns(rows("n", *[(n,) for n in range(1, 6)]))

    async with db.conn.transaction():
        cursor = await db.conn.cursor(query)
        got = [await cursor.fetchrow(), await cursor.fetch(2), await cursor.forward(1), await cursor.fetch(5)]
        end = [await cursor.fetch(1), await cursor.fetchrow(), await cursor.forward(3)]
        with pytest.raises(error_class("InterfaceError"), match="^n must be greater than zero$"):
            await cursor.fetch(0)

    assert [(1,), [(2,), (3,)], 1, [(5,)]] == got
    assert [[], None, 0] == end
    with pytest.raises(error_class("NoActiveSQLTransactionError")):
        await cursor.fetch(1)


async def test_iterating_a_cursor_yields_every_row(db: Target) -> None:
    """`async for` over conn.cursor(...) yields records, whatever the prefetch."""
    query = "SELECT g AS n FROM generate_series(1, $1::int) g"
    if db.fake:
        db.fake.when(sql=query).returns(rows("n", (1,), (2,), (3,)))

    async with db.conn.transaction():
        found = [row["n"] async for row in db.conn.cursor(query, 3, prefetch=2)]
        with pytest.raises(error_class("InterfaceError"), match="prefetch argument can only be specified"):
            await db.conn.cursor(query, 3, prefetch=2)

    assert [1, 2, 3] == found


def test_the_real_side_explains_how_to_run_it() -> None:
    """The skip message of the real side says how to get a server (checked, not just hoped)."""
    from tests.contract.conftest import HOW_TO_RUN

    assert "ASYNCFAKES_PG_DSN" in HOW_TO_RUN
    assert ".ci/run" in HOW_TO_RUN
