"""Contract: asyncfakes.psycopg's FakeAsyncConnectionPool matches psycopg_pool's AsyncConnectionPool."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from psycopg_pool import PoolClosed, PoolTimeout

from tests.contract._psycopg_support import (
    Side,
    anyio_backend,
    caught,
    db,
    make_null_pool,
    make_pool,
    psycopg_side,
    status,
    until_waiting,
)

__all__ = ["anyio_backend", "db", "psycopg_side"]

pytestmark = pytest.mark.anyio

TABLE = "CREATE TABLE t (id int PRIMARY KEY, name text)"
BOTH_POOLS = pytest.mark.parametrize(
    ("make", "sizes"),
    [
        pytest.param(make_pool, {"min_size": 1, "max_size": 1}, id="pool"),
        pytest.param(make_null_pool, {"max_size": 1}, id="null_pool"),
    ],
)
INSERT = "INSERT INTO t VALUES (%s, %s)"


async def count_rows(db: Side, pool: object, expected_on_fake: int) -> int:
    """How many rows t holds, read through a fresh connection of this side."""
    other = await db.connect(autocommit=True)
    if db.fake:
        other.execute.returns([{"n": expected_on_fake}])
    row = await (await other.execute("SELECT count(*) AS n FROM t")).fetchone()
    return int(row[0])


async def test_connection_commits_on_success_and_returns_the_connection(db: Side) -> None:
    """pool.connection(): the block's work is committed, the connection is back and IDLE."""
    await db.setup(TABLE)
    async with make_pool(db, min_size=1, max_size=2) as pool:
        await pool.wait()
        async with pool.connection() as conn:
            await conn.execute(INSERT, (1, "a"))
        stats = pool.get_stats()
        after = (status(conn), conn.closed)

    assert ("IDLE", False) == after
    assert (1, 2, 1, 0) == (
        stats["pool_min"],
        stats["pool_max"],
        stats["pool_available"],
        stats["requests_waiting"],
    )
    assert 1 == await count_rows(db, pool, 1)


async def test_connection_rolls_back_on_error(db: Side) -> None:
    """An error in the block rolls its work back and propagates; the connection goes back."""
    await db.setup(TABLE)
    async with make_pool(db, min_size=1) as pool:
        with pytest.raises(ZeroDivisionError):
            async with pool.connection() as conn:
                await conn.execute(INSERT, (1, "a"))
                raise ZeroDivisionError
        assert "IDLE" == status(conn)  # bound before the body raised  # pyright: ignore[reportPossiblyUnboundVariable]

    assert 0 == await count_rows(db, pool, 0)


async def test_an_exhausted_pool_times_out(db: Side) -> None:
    """With max_size connections out, getconn waits, then PoolTimeout with the timeout in it."""
    async with make_pool(db, min_size=1, max_size=1) as pool:
        conn = await pool.getconn()
        error = await caught(pool.getconn(timeout=0.2))
        waiting = pool.get_stats()["requests_waiting"]
        await pool.putconn(conn)

    assert ("PoolTimeout", None, "couldn't get a connection after 0.20 sec") == error
    assert 1 == waiting  # psycopg_pool keeps counting a caller that gave up, until a connection returns


async def test_waiting_callers_are_served_first_come_first_served(db: Side) -> None:
    """Two callers wait; each returned connection goes to the one that waited longest."""
    order: list[str] = []
    async with make_pool(db, min_size=1, max_size=1) as pool:
        held = await pool.getconn()

        async def take(label: str) -> None:
            conn = await pool.getconn(timeout=5)
            order.append(label)
            await pool.putconn(conn)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(take, "first")
            await until_waiting(pool)
            tasks.start_soon(take, "second")
            await until_waiting(pool, 2)
            assert 2 == pool.get_stats()["requests_waiting"]
            await pool.putconn(held)

    assert ["first", "second"] == order


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_connection_returned_in_a_transaction_is_rolled_back(db: Side) -> None:
    """putconn() of an INTRANS connection rolls it back: IDLE, the insert gone."""
    await db.setup(TABLE)
    async with make_pool(db, min_size=1) as pool:
        conn = await pool.getconn()
        await conn.execute(INSERT, (1, "a"))
        await pool.putconn(conn)
        returned = status(conn)

    assert ("IDLE", 0) == (returned, await count_rows(db, pool, 0))
    if db.fake:
        with pytest.raises(AssertionError, match="returned to the pool in a transaction"):
            pool.verify()


@BOTH_POOLS
async def test_a_pool_must_be_open(db: Side, make: Any, sizes: dict[str, int]) -> None:
    """Before open(): PoolClosed 'not open yet'; after close(): 'already closed'; no reopening."""
    pool = make(db, **sizes)
    before = await caught(pool.getconn())
    await pool.open()
    await pool.open()
    await pool.close()
    await pool.close()
    after = await caught(pool.getconn())

    assert ("PoolClosed", None, "the pool 'p' is not open yet") == before
    assert ("PoolClosed", None, "the pool 'p' is already closed") == after
    assert ("PoolClosed", None, "pool has already been opened/closed and cannot be reused") == await caught(
        pool.open()
    )
    assert pool.closed


@BOTH_POOLS
async def test_closing_the_pool_fails_the_waiting_callers(db: Side, make: Any, sizes: dict[str, int]) -> None:
    """A caller waiting when the pool closes gets PoolClosed; a connection given back after is closed."""
    got: list[tuple[str, str | None, str]] = []
    pool = make(db, **sizes)
    await pool.open()
    held = await pool.getconn()

    async def wait_for_one() -> None:
        got.append(await caught(pool.getconn(timeout=5)))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(wait_for_one)
        await until_waiting(pool)
        await pool.close()
    await pool.putconn(held)

    assert [("PoolClosed", None, "the pool 'p' is closed")] == got
    assert (held.closed, pool.get_stats()["pool_size"]) == (True, sizes.get("min_size", 0))


async def test_a_connection_goes_back_only_once(db: Side) -> None:
    """putconn() twice: ValueError, the connection no longer belongs to the pool."""
    async with make_pool(db, min_size=1) as pool:
        conn = await pool.getconn()
        await pool.putconn(conn)
        with pytest.raises(
            ValueError, match="^can't return connection to pool 'p', it doesn't come from any pool"
        ):
            await pool.putconn(conn)


async def test_kwargs_configure_the_connections(db: Side) -> None:
    """kwargs (autocommit) apply to every connection; configure runs on each new one."""
    configured: list[object] = []

    async def configure(conn: object) -> None:
        configured.append(conn)

    async with make_pool(db, min_size=1, kwargs={"autocommit": True}, configure=configure) as pool:
        await pool.wait()
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
            inside = (conn.autocommit, status(conn))

    assert ((True, "IDLE"), [conn]) == (inside, configured)


@pytest.mark.parametrize(
    ("kind", "sizes"), [("AsyncConnectionPool", {"min_size": 1}), ("AsyncNullConnectionPool", {})]
)
async def test_opening_in_the_constructor_warns(db: Side, kind: str, sizes: dict[str, int]) -> None:
    """open=True in the constructor emits psycopg_pool's RuntimeWarning, naming the pool's class."""

    def opened_in_constructor() -> Any:
        if db.is_real:
            import psycopg_pool

            return getattr(psycopg_pool, kind)(db.dsn or "", open=True, **sizes)
        import asyncfakes.psycopg

        return getattr(asyncfakes.psycopg, f"Fake{kind}")(open=True, **sizes)

    with pytest.warns(RuntimeWarning, match=f"opening the async pool {kind} in the constructor"):
        pool = opened_in_constructor()
    await pool.close()
    assert pool.closed


async def test_pool_errors_are_operational_errors(db: Side) -> None:
    """PoolTimeout and PoolClosed are psycopg OperationalErrors."""
    import psycopg

    assert issubclass(PoolTimeout, psycopg.OperationalError)
    assert issubclass(PoolClosed, psycopg.OperationalError)


@BOTH_POOLS
async def test_a_closed_connection_given_back_is_replaced_for_a_waiting_caller(
    db: Side, make: Any, sizes: dict[str, int]
) -> None:
    """The code closed the connection it gives back while a caller waits: that caller gets a new one."""
    got: list[tuple[bool, bool]] = []
    async with make(db, **sizes) as pool:
        held = await pool.getconn()

        async def take() -> None:
            conn = await pool.getconn(timeout=2)
            got.append((conn is held, conn.closed))
            await pool.putconn(conn)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(take)
            await until_waiting(pool)
            await held.close()
            await pool.putconn(held)
        found = pool.get_stats()

    assert [(False, False)] == got
    assert (1, 0) == (found.get("returns_bad", 0), found.get("requests_errors", 0))
