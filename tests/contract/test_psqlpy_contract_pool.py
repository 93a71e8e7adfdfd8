"""Contract: psqlpy cursors, prepared statements and the connection pool behave on the fake as for real.

Every scenario runs on the fake and on real psqlpy against PostgreSQL (see _psqlpy_support).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from asyncfakes.psqlpy import QueryResult
from tests.contract._psqlpy_support import Side, anyio_backend, caught, db, psqlpy_side

__all__ = ["anyio_backend", "db", "psqlpy_side"]

pytestmark = pytest.mark.anyio

SERIES = "SELECT g AS id FROM generate_series(1, 5) g"
IDS = [{"id": n} for n in range(1, 6)]
CLOSED = ("TransactionClosedError", "Underlying connection is returned to the pool")


def script_series(db: Side) -> None:
    """On the fake, the cursor query answers the five rows the server gives."""
    if db.fake:
        db.fake.when(method="cursor").returns(IDS)


async def test_a_cursor_fetches_one_some_and_the_rest(db: Side) -> None:
    """fetchone, fetchmany(n), fetchmany() (array_size) and fetchall each give a QueryResult of rows."""
    script_series(db)
    cursor = db.conn.cursor(SERIES, array_size=1)
    await cursor.start()

    chunks = [
        (await cursor.fetchone()).result(),
        (await cursor.fetchmany(2)).result(),
        (await cursor.fetchmany()).result(),
        (await cursor.fetchall()).result(),
        (await cursor.fetchall()).result(),
    ]
    cursor.close()
    cursor.close()

    assert [[{"id": 1}], [{"id": 2}, {"id": 3}], [{"id": 4}], [{"id": 5}], []] == chunks
    assert (SERIES, None, 1) == (cursor.querystring, cursor.parameters, cursor.array_size)


async def test_a_cursor_iterates_in_chunks_of_array_size(db: Side) -> None:
    """`async with` starts the cursor; `async for` gives QueryResults of array_size rows until empty."""
    script_series(db)

    async with db.conn.cursor(SERIES, array_size=2) as cursor:
        chunks = [chunk.result() for chunk in [c async for c in cursor]]

    assert [IDS[0:2], IDS[2:4], IDS[4:]] == chunks
    assert CLOSED == await caught(cursor.fetchone())


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_cursor_must_be_started_and_have_a_query(db: Side) -> None:
    """Fetching before start() or after close() fails; start() without a query or after close() too."""
    script_series(db)
    cursor = db.conn.cursor(SERIES)
    before = await caught(cursor.fetchone())
    iterating = await caught(cursor.__anext__())
    cursor.close()

    assert [CLOSED, CLOSED] == [before, iterating]
    assert ("ConnectionClosedError", CLOSED[1]) == await caught(cursor.start())
    assert ("CursorStartError", "Cursor start error: Cannot start cursor") == await caught(
        db.conn.cursor().start()
    )


async def test_cursor_execute_restarts_it_and_returns_none(db: Side) -> None:
    """cursor.execute(query, params) returns None; fetches then read that query."""
    if db.fake:
        db.fake.when(method="cursor").returns([{"id": 3}])
    cursor = db.conn.cursor()

    assert None is await cursor.execute("SELECT $1::int AS id", [3])
    assert [{"id": 3}] == (await cursor.fetchall()).result()
    cursor.close()


async def test_a_prepared_statement_runs_with_its_parameters(db: Side) -> None:
    """prepare(sql, params): columns() names the columns, execute() runs it again and again."""
    if db.fake:
        db.fake.prepare.returns(["id"])
        db.fake.execute.returns(IDS[3:])
        db.fake.when(method="cursor").returns(IDS[3:])

    statement = await db.conn.prepare("SELECT g AS id FROM generate_series(1, 5) g WHERE g > $1", [3])
    first = (await statement.execute()).result()
    again = (await statement.execute()).result()
    cursor = statement.cursor()
    await cursor.start()
    through_cursor = (await cursor.fetchall()).result()

    assert (["id"], IDS[3:], IDS[3:], IDS[3:]) == (
        [column.name for column in statement.columns()],
        first,
        again,
        through_cursor,
    )
    assert (None, None) == (cursor.querystring, cursor.parameters)


async def test_pool_status_counts_connections(db: Side) -> None:
    """status(): size grows as connections are opened; available counts the idle ones."""
    pool = db.pool(2)

    def counts() -> tuple[int, int, int, int]:
        status = pool.status()
        return status.max_size, status.size, status.available, status.waiting

    fresh = counts()
    first = await pool.connection()
    one_taken = counts()
    first.close()
    given_back = counts()
    async with pool.acquire() as conn:
        inside = counts()
        if db.is_real:
            assert 1 == await conn.fetch_val("SELECT 1")

    assert [(2, 0, 0, 0), (2, 1, 0, 0), (2, 1, 1, 0), (2, 1, 0, 0), (2, 1, 1, 0)] == [
        fresh,
        one_taken,
        given_back,
        inside,
        counts(),
    ]


async def test_an_exhausted_pool_blocks_until_a_connection_comes_back(db: Side) -> None:
    """With every connection taken, connection() waits (no error, no timeout) until one is closed."""
    pool = db.pool(2)
    first = await pool.connection()
    second = await pool.connection()  # psqlpy gives a connection back when it is garbage-collected

    with pytest.raises(asyncio.TimeoutError):  # TimeoutError itself only from Python 3.11
        await asyncio.wait_for(pool.connection(), 0.2)
    waiter = asyncio.ensure_future(pool.connection())
    await asyncio.sleep(0.1)
    blocked = (waiter.done(), pool.status().waiting >= 1)
    first.close()
    third = await asyncio.wait_for(waiter, 2)

    assert (False, True, 0) == (*blocked, pool.status().waiting)
    third.close()
    second.close()


async def test_a_closed_pool_refuses_new_connections(db: Side) -> None:
    """After close() (idempotent) connection() and acquire() fail; taken connections keep working."""
    pool = db.pool(2)
    taken = await pool.connection()
    pool.close()
    pool.close()
    if db.fake:
        taken.fetch_val.returns(1)

    closed = ("BaseConnectionPoolError", "Database engine pool exception: Pool has been closed")
    assert closed == await caught(pool.connection())
    assert closed == await caught(pool.acquire().__aenter__())
    assert 1 == await taken.fetch_val("SELECT 1")
    status = pool.status()
    assert (0, 1, 0, 0) == (status.max_size, status.size, status.available, status.waiting)
    taken.close()
    status = pool.status()
    assert (0, 0, 0, 0) == (status.max_size, status.size, status.available, status.waiting)


async def test_a_pool_needs_at_least_two_connections(db: Side) -> None:
    """max_db_pool_size below 2 is a ConnectionPoolConfigurationError when the pool is made."""
    with pytest.raises(Exception, match="Maximum database pool size must be more than 1") as error:
        db.pool(1)

    assert "ConnectionPoolConfigurationError" == type(error.value).__name__


async def test_a_connection_from_acquire_works_only_inside_async_with(db: Side) -> None:
    """acquire() gives a connection that is usable in `async with` and returned to the pool after."""
    pool = db.pool(2)
    conn = pool.acquire()
    before = await caught(conn.execute("SELECT 1"))
    async with conn:
        if db.fake:
            conn.fetch.returns(QueryResult([{"n": 1}]))
        inside = (await conn.fetch("SELECT 1 AS n")).result()
    after = await caught(conn.execute("SELECT 1"))

    closed = ("ConnectionClosedError", "Underlying connection is returned to the pool")
    assert (closed, [{"n": 1}], closed) == (before, inside, after)


REFUSED_DSN = "postgres://nobody@127.0.0.1:1/nothing"


async def test_a_pool_of_a_server_that_refuses_fails_at_connection_not_at_creation(db: Side) -> None:
    """psqlpy makes the pool without connecting; connection() raises the refusal and takes no slot."""
    from asyncfakes.psqlpy import FakeConnectionPool, connection_refused

    if db.fake:
        fake = FakeConnectionPool()
        fake.fail_connection(connection_refused())
        pool: Any = fake.connect_pool(dsn=REFUSED_DSN, max_db_pool_size=3, connect_timeout_sec=1)
    else:
        import psqlpy

        pool = psqlpy.ConnectionPool(dsn=REFUSED_DSN, max_db_pool_size=3, connect_timeout_sec=1)

    refused = await caught(pool.connection())
    status = pool.status()
    pool.close()

    assert (
        "BaseConnectionPoolError",
        "Database engine pool exception: Error occurred while creating a new object: "
        "error connecting to server: Connection refused (os error 111)",
    ) == refused
    assert (3, 0, 0, 0) == (status.max_size, status.size, status.available, status.waiting)


async def test_a_pool_with_a_dsn_it_cannot_parse_fails_at_creation(db: Side) -> None:
    """A bad DSN is ConnectionPoolBuildError from the constructor (scripted with fail_creation)."""
    from asyncfakes.psqlpy import FakeConnectionPool, exceptions

    message = (
        "Connection pool build error: Cannot parse configuration from dsn string, "
        "error - invalid connection string: unexpected EOF."
    )
    if db.fake:
        fake = FakeConnectionPool()
        fake.fail_creation(exceptions.ConnectionPoolBuildError(message))
        make: Any = fake.connect_pool
    else:
        import psqlpy

        make = psqlpy.ConnectionPool

    with pytest.raises(Exception, match="Cannot parse configuration") as error:
        make(dsn="nonsense")

    assert ("ConnectionPoolBuildError", message) == (type(error.value).__name__, str(error.value))


def counts(pool: Any) -> tuple[int, int, int, int]:
    """What ``pool.status()`` says: max_size, size, available, waiting."""
    status = pool.status()
    return status.max_size, status.size, status.available, status.waiting


async def test_a_connection_dropped_without_close_gives_its_slot_back(db: Side) -> None:
    """psqlpy frees a pooled connection the code lets go of: its slot is available again at once."""
    pool = db.pool(2)
    conn = await pool.connection()
    await conn.execute("SELECT 1")
    taken = counts(pool)
    del conn
    dropped = counts(pool)
    conn = await pool.connection()
    again = counts(pool)
    conn.close()

    assert [(2, 1, 0, 0), (2, 1, 1, 0), (2, 1, 0, 0), (2, 1, 1, 0)] == [taken, dropped, again, counts(pool)]


async def dao(pool: Any) -> list[dict[str, Any]]:
    """A repository function that takes a connection and never closes it (psqlpy frees it)."""
    conn = await pool.connection()
    rows: list[dict[str, Any]] = (await conn.fetch("SELECT 1 AS n")).result()
    return rows


async def test_code_that_never_closes_its_connections_does_not_exhaust_the_pool(db: Side) -> None:
    """Five calls of a function dropping its connection on a pool of two: no wait, one connection opened."""
    pool = db.pool(2)
    if not db.is_real:
        pool.script.fetch.returns([{"n": 1}])

    rows = [await asyncio.wait_for(dao(pool), 2) for _ in range(5)]

    assert [[{"n": 1}]] * 5 == rows
    assert (2, 1, 1, 0) == counts(pool)


async def test_a_blocked_acquisition_gets_the_slot_of_a_connection_dropped_meanwhile(db: Side) -> None:
    """With every slot taken, connection() waits; dropping a connection (no close) serves it."""
    pool = db.pool(2)
    first, second = await pool.connection(), await pool.connection()
    waiter = asyncio.ensure_future(pool.connection())
    await asyncio.sleep(0.1)
    blocked = (waiter.done(), counts(pool))
    del first
    third = await asyncio.wait_for(waiter, 2)

    assert (False, (2, 2, 0, 1)) == blocked
    assert (2, 2, 0, 0) == counts(pool)
    third.close()
    second.close()


async def test_a_failed_call_and_a_finished_transaction_do_not_keep_a_dropped_connection(db: Side) -> None:
    """The connection a statement failed on, or a committed transaction ran on, is freed when dropped."""
    from asyncfakes.psqlpy import postgres_error

    pool = db.pool(2)
    if not db.is_real:
        pool.script.execute.when(sql="SELECT * FROM missing").raises(
            postgres_error('relation "missing" does not exist', at="prepare")
        )
    conn = await pool.connection()
    failed = await caught(conn.execute("SELECT * FROM missing"))
    transaction = conn.transaction()
    await transaction.begin()
    await transaction.execute("SELECT 1")
    await transaction.commit()
    del conn

    assert "ConnectionExecuteError" == failed[0]
    assert (2, 1, 1, 0) == counts(pool)  # the finished transaction lets go of its connection
    del transaction
    assert (2, 1, 1, 0) == counts(pool)


async def test_a_transaction_not_begun_keeps_its_dropped_connection_busy(db: Side) -> None:
    """A transaction object holds its connection until it is begun and finished (or dropped)."""
    pool = db.pool(2)
    conn = await pool.connection()
    transaction = conn.transaction()
    del conn
    held = counts(pool)
    async with transaction:
        pass

    assert ((2, 1, 0, 0), (2, 1, 1, 0)) == (held, counts(pool))
