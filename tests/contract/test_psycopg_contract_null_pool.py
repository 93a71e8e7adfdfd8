"""Contract: asyncfakes.psycopg's FakeAsyncNullConnectionPool matches psycopg_pool's AsyncNullConnectionPool."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from tests.contract._psycopg_support import (
    STATS,
    Side,
    anyio_backend,
    caught,
    db,
    make_null_pool,
    psycopg_side,
    stats,
    status,
    until_waiting,
)

__all__ = ["anyio_backend", "db", "psycopg_side"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TABLE t (id int PRIMARY KEY, name text)"
INSERT = "INSERT INTO t VALUES (%s, %s)"


def counts(pool_max: int, **counters: int) -> dict[str, int]:
    """The stats of a null pool with ``pool_max``: every other measure and counter 0 unless given."""
    found = dict.fromkeys(STATS, 0)
    return {**found, "pool_max": pool_max, **counters}


def scripted(db: Side, pool: Any, *rows: dict[str, Any]) -> Any:
    """The pool, its script answering ``rows`` on the fake side."""
    if db.fake:
        pool.script.execute.returns(list(rows))
    return pool


async def count_rows(db: Side, expected_on_fake: int) -> int:
    """How many rows t holds, read through a fresh connection of this side."""
    other = await db.connect(autocommit=True)
    if db.fake:
        other.execute.returns([{"n": expected_on_fake}])
    row = await (await other.execute("SELECT count(*) AS n FROM t")).fetchone()
    return int(row[0])


async def test_each_connection_is_new_and_closed_when_it_comes_back(db: Side) -> None:
    """connection() makes a working connection, closes it after the block; the next one is another."""
    seen: list[dict[str, int]] = []
    async with make_null_pool(db, max_size=2) as pool:
        scripted(db, pool, {"x": 1})
        seen.append(stats(pool))
        async with pool.connection() as first:
            value = (await (await first.execute("SELECT 1 AS x")).fetchone())[0]
            seen.append(stats(pool))
            inside = (status(first), first.closed)
        seen.append(stats(pool))
        async with pool.connection() as second:
            seen.append(stats(pool))
        seen.append(stats(pool))

    assert (1, ("INTRANS", False)) == (value, inside)
    assert (first is not second, first.closed, second.closed) == (True, True, True)
    assert [
        counts(2),
        counts(2, pool_size=1, requests_num=1, connections_num=1),
        counts(2, requests_num=1, connections_num=1),
        counts(2, pool_size=1, requests_num=2, connections_num=2),
        counts(2, requests_num=2, connections_num=2),
    ] == seen


async def test_the_block_commits_on_success_and_rolls_back_on_error(db: Side) -> None:
    """The connection's own `async with`: commit on success, rollback on error, then closed."""
    await db.setup(TABLE)
    async with make_null_pool(db) as pool:
        async with pool.connection() as conn:
            await conn.execute(INSERT, (1, "a"))
        with pytest.raises(ZeroDivisionError):
            async with pool.connection() as failed:
                await failed.execute(INSERT, (2, "b"))
                raise ZeroDivisionError
        after = (conn.closed, failed.closed)  # bound before the body raised  # pyright: ignore[reportPossiblyUnboundVariable]

    assert ((True, True), 1) == (after, await count_rows(db, 1))


async def test_min_size_must_be_zero_and_max_size_zero_means_no_limit(db: Side) -> None:
    """min_size != 0 and max_size < 0 are refused; the default max_size 0 lets any number out."""
    errors: list[str] = []
    for sizes in ({"min_size": 1}, {"min_size": 2, "max_size": 4}, {"max_size": -1}):
        with pytest.raises(ValueError, match="size") as raised:
            make_null_pool(db, **sizes)
        errors.append(str(raised.value))
    async with make_null_pool(db) as pool:
        held = [await pool.getconn() for _ in range(3)]
        out = stats(pool)
        for conn in held:
            await pool.putconn(conn)
        after = stats(pool)

    assert [
        "null pools must have min_size = 0",
        "null pools must have min_size = 0",
        "max_size must be greater or equal than min_size",
    ] == errors
    assert (pool.min_size, pool.max_size) == (0, 0)
    assert counts(0, pool_size=3, requests_num=3, connections_num=3) == out
    assert counts(0, requests_num=3, connections_num=3) == after
    assert all(conn.closed for conn in held)


async def test_max_size_connections_out_makes_callers_time_out(db: Side) -> None:
    """With max_size out, getconn waits, then PoolTimeout; the late return is closed, not kept."""
    async with make_null_pool(db, max_size=1) as pool:
        held = await pool.getconn()
        error = await caught(pool.getconn(timeout=0.2))
        waiting = stats(pool)
        await pool.putconn(held)
        after = stats(pool)

    assert ("PoolTimeout", None, "couldn't get a connection after 0.20 sec") == error
    common = {"requests_num": 2, "requests_queued": 1, "requests_errors": 1, "connections_num": 1}
    assert counts(1, pool_size=1, requests_waiting=1, **common) == waiting
    assert counts(1, **common) == after
    assert held.closed


async def test_a_waiting_caller_gets_the_returned_connection(db: Side) -> None:
    """A connection given back while a caller waits goes to that caller, open, not a new one."""
    got: list[Any] = []
    async with make_null_pool(db, max_size=1) as pool:
        held = await pool.getconn()

        async def take() -> None:
            conn = await pool.getconn(timeout=5)
            got.append((conn, conn.closed, stats(pool)))
            await pool.putconn(conn)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(take)
            await until_waiting(pool)
            assert 1 == stats(pool)["requests_waiting"]
            await pool.putconn(held)
        after = stats(pool)

    common = {"requests_num": 2, "requests_queued": 1, "connections_num": 1}
    assert [(held, False, counts(1, pool_size=1, **common))] == got
    assert counts(1, **common) == after
    assert held.closed


async def test_too_many_waiting_callers(db: Side) -> None:
    """max_waiting callers already waiting: the next one gets TooManyRequests at once."""
    async with make_null_pool(db, max_size=1, max_waiting=1) as pool:
        held = await pool.getconn()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(caught, pool.getconn(timeout=0.3))
            await until_waiting(pool)
            error = await caught(pool.getconn(timeout=0.3))
            assert ("TooManyRequests", None, "the pool 'p' has already 1 requests waiting") == error
        await pool.putconn(held)

    assert 2 == stats(pool)["requests_errors"]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_connection_given_back_in_a_transaction_is_closed_and_its_work_lost(db: Side) -> None:
    """putconn() of an INTRANS connection, nobody waiting: closed, the insert gone."""
    await db.setup(TABLE)
    async with make_null_pool(db) as pool:
        conn = await pool.getconn()
        await conn.execute(INSERT, (1, "a"))
        await pool.putconn(conn)
        returned = (conn.closed, stats(pool)["returns_bad"])

    assert ((True, 0), 0) == (returned, await count_rows(db, 0))
    if db.fake:
        with pytest.raises(AssertionError, match="in a transaction .INTRANS.: psycopg_pool closed it"):
            pool.verify()


async def test_a_closed_connection_given_back_counts_as_bad(db: Side) -> None:
    """A connection closed by the code and given back: returns_bad, as psycopg_pool counts it."""
    async with make_null_pool(db) as pool:
        conn = await pool.getconn()
        await conn.close()
        await pool.putconn(conn)
        found = stats(pool)

    assert counts(0, requests_num=1, connections_num=1, returns_bad=1) == found


async def test_wait_makes_one_connection_and_closes_it(db: Side) -> None:
    """wait() checks the server with one connection, which it does not keep; before open(): PoolClosed."""
    pool = make_null_pool(db)
    before = await caught(pool.wait())
    async with pool:
        await pool.wait(timeout=5)
        after = stats(pool)

    assert ("PoolClosed", None, "the pool 'p' is not open yet") == before
    assert counts(0, connections_num=1) == after


async def test_resize_changes_max_size_only(db: Side) -> None:
    """resize(0, n) sets max_size; a min_size other than 0 is refused; check() changes nothing."""
    async with make_null_pool(db, max_size=1) as pool:
        await pool.resize(0, 3)
        await pool.check()
        with pytest.raises(ValueError, match="^null pools must have min_size = 0$"):
            await pool.resize(2, 3)
        sizes = (pool.min_size, pool.max_size, stats(pool))

    assert (0, 3, counts(3)) == sizes


async def test_configure_and_kwargs_apply_to_every_new_connection(db: Side) -> None:
    """configure runs on each connection the null pool makes; kwargs (autocommit) apply to each."""
    configured: list[object] = []

    async def configure(conn: object) -> None:
        configured.append(conn)

    seen: list[tuple[bool, str]] = []
    async with make_null_pool(db, kwargs={"autocommit": True}, configure=configure) as pool:
        for _ in range(2):
            async with pool.connection() as conn:
                await conn.execute("SELECT 1")
                seen.append((conn.autocommit, status(conn)))

    assert ([(True, "IDLE")] * 2, 2) == (seen, len(configured))
    assert configured[0] is not configured[1]


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_connection_handed_to_a_waiting_caller_is_rolled_back_first(db: Side) -> None:
    """Given back in a transaction while a caller waits: the caller gets it IDLE, the insert gone."""
    await db.setup(TABLE)
    got: list[tuple[Any, str]] = []
    async with make_null_pool(db, max_size=1) as pool:
        held = await pool.getconn()
        await held.execute(INSERT, (1, "a"))

        async def take() -> None:
            conn = await pool.getconn(timeout=5)
            got.append((conn, status(conn)))
            await pool.putconn(conn)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(take)
            await until_waiting(pool)
            await pool.putconn(held)

    assert ([(held, "IDLE")], True, 0) == (got, held.closed, await count_rows(db, 0))
