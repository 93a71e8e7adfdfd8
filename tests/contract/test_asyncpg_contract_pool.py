"""Contract: the fake pool acquires, waits, times out, releases and closes as asyncpg's Pool does.

Every scenario runs on the fake and on real asyncpg against PostgreSQL (see _asyncpg_support).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from asyncfakes.asyncpg import error_class
from tests.contract._asyncpg_support import PoolTarget, anyio_backend, pools

__all__ = ["anyio_backend", "pools"]

pytestmark = pytest.mark.anyio


async def test_shortcuts_run_on_a_connection_of_their_own(pools: PoolTarget) -> None:
    """pool.fetch/fetchrow/fetchval/execute/executemany/fetchmany answer as a connection's do."""
    pool = await pools.create_pool(min_size=0, max_size=2)
    if pools.fake:
        script = pools.fake.connection
        script.fetch.returns([{"a": 1}])
        script.fetchrow.returns({"a": 1})
        script.fetchval.returns(1)
        script.fetchmany.returns([{"n": 1}])
        script.execute.returns(1)

    got = (
        await pool.fetch("SELECT 1 AS a"),
        await pool.fetchrow("SELECT 1 AS a"),
        await pool.fetchval("SELECT 1 AS a"),
        await pool.execute("SELECT 1"),
        await pool.executemany("SELECT $1::int", [(1,)]),
        await pool.fetchmany("SELECT $1::int AS n", [(1,)]),
    )

    assert ([(1,)], (1,), 1, "SELECT 1", None, [(1,)]) == got
    assert (0, 2) == (pool.get_min_size(), pool.get_max_size())


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_released_connection_is_unusable(pools: PoolTarget) -> None:
    """After release (or the end of `async with`), the connection and its transactions refuse calls."""
    pool = await pools.create_pool(min_size=0, max_size=1)
    async with pool.acquire() as conn:
        assert False is conn.is_closed()
    interface_error = error_class("InterfaceError")

    with pytest.raises(interface_error) as fetch:
        await conn.fetch("SELECT 1")
    with pytest.raises(interface_error) as closed:
        conn.is_closed()
    held = await pool.acquire()
    tx = held.transaction()
    await tx.start()
    await pool.release(held)
    with pytest.raises(interface_error) as commit:
        await tx.commit()

    assert "cannot call Connection.fetch(): connection has been released back to the pool" == str(fetch.value)
    assert "cannot call Connection.is_closed(): connection has been released back to the pool" == str(
        closed.value
    )
    assert (
        "cannot call Transaction.commit(): the underlying connection has been released back to the pool"
        == str(commit.value)
    )


async def test_an_exhausted_pool_times_out(pools: PoolTarget) -> None:
    """With max_size connections out, acquire(timeout=) raises asyncio.TimeoutError."""
    pool = await pools.create_pool(min_size=0, max_size=1)
    held = await pool.acquire()

    with pytest.raises(asyncio.TimeoutError):
        await pool.acquire(timeout=0.05)
    await pool.release(held)

    assert (1, 1) == (pool.get_size(), pool.get_idle_size())


async def test_a_waiting_acquire_gets_the_released_connection(pools: PoolTarget) -> None:
    """acquire() on an exhausted pool waits until a connection is released, then gets it."""
    pool = await pools.create_pool(min_size=0, max_size=1)
    if pools.fake:
        pools.fake.connection.fetchval.returns(1)
    held = await pool.acquire()

    async def release_soon() -> None:
        await asyncio.sleep(0.05)
        await pool.release(held)

    task = asyncio.ensure_future(release_soon())
    async with pool.acquire(timeout=5) as conn:
        value = await conn.fetchval("SELECT 1")
    await task

    assert 1 == value


async def test_release_refuses_a_stranger_and_ignores_a_second_release(pools: PoolTarget) -> None:
    """Releasing a connection from elsewhere raises InterfaceError; releasing twice does nothing."""
    pool = await pools.create_pool(min_size=0, max_size=1)
    conn = await pool.acquire()
    await pool.release(conn)

    assert None is await pool.release(conn)
    with pytest.raises(
        error_class("InterfaceError"), match="^Pool.release\\(\\) received invalid connection: "
    ):
        await pool.release(object())


async def test_a_pool_must_be_awaited_before_use(pools: PoolTarget) -> None:
    """create_pool() not awaited: acquire and the shortcuts raise 'pool is not initialized'."""
    pool = pools.create_pool(min_size=0, max_size=1)
    interface_error = error_class("InterfaceError")

    with pytest.raises(interface_error, match="^pool is not initialized$"):
        await pool.fetch("SELECT 1")
    with pytest.raises(interface_error, match="^pool is not initialized$"):
        await pool.acquire()
    assert pool is await pool


async def test_a_closed_pool_refuses_to_acquire(pools: PoolTarget) -> None:
    """After close(), acquire raises 'pool is closed'; closing again is fine."""
    pool = await pools.create_pool(min_size=0, max_size=1)
    await pool.close()

    with pytest.raises(error_class("InterfaceError"), match="^pool is closed$"):
        await pool.acquire()
    assert (True, None) == (pool.is_closing(), await pool.close())


async def test_a_pool_as_async_context_manager_closes_at_exit(pools: PoolTarget) -> None:
    """`async with create_pool(...) as pool` gives the pool and closes it at the end."""
    async with pools.create_pool(min_size=0, max_size=1) as pool:
        open_inside = pool.is_closing()

    assert (False, True) == (open_inside, pool.is_closing())


async def test_an_acquire_context_is_used_once(pools: PoolTarget) -> None:
    """Entering the same acquire() context twice raises InterfaceError."""
    pool = await pools.create_pool(min_size=0, max_size=2)
    context = pool.acquire()
    async with context:
        pass

    with pytest.raises(error_class("InterfaceError"), match="^a connection is already acquired$"):
        await context.__aenter__()


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"min_size": 3, "max_size": 2}, "min_size is greater than max_size"),
        ({"min_size": 0, "max_size": 0}, "max_size is expected to be greater than zero"),
    ],
)
async def test_pool_sizes_are_checked(pools: PoolTarget, sizes: dict[str, Any], message: str) -> None:
    """Impossible sizes raise ValueError, as asyncpg's create_pool does."""
    with pytest.raises(ValueError, match=f"^{message}$"):
        await pools.create_pool(**sizes)


async def test_one_connection_per_task(pools: PoolTarget) -> None:
    """Tasks sharing the pool (not a connection) run concurrently without InterfaceError."""
    pool = await pools.create_pool(min_size=0, max_size=3)
    if pools.fake:
        pools.fake.connection.fetchval.returns(None)

    got = await asyncio.gather(*(pool.fetchval("SELECT pg_sleep(0.05)") for _ in range(3)))

    assert [None, None, None] == got


async def test_terminate_releases_the_connections_it_held(pools: PoolTarget) -> None:
    """After pool.terminate(), a connection still held acts as released; the pool is closed."""
    pool = await pools.create_pool(min_size=0, max_size=1)
    conn = await pool.acquire()
    pool.terminate()

    with pytest.raises(error_class("InterfaceError"), match="released back to the pool"):
        await conn.execute("SELECT 1")
    assert (True, 0) == (pool.is_closing(), pool.get_size())


MISSING_DB = 'database "asyncfakes_no_such_db" does not exist'


def _missing_database(dsn: str) -> str:
    import urllib.parse

    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(path="/asyncfakes_no_such_db"))


async def test_create_pool_fails_at_await_when_it_cannot_connect(pools: PoolTarget) -> None:
    """A pool that cannot open its first connection raises the server's error when awaited."""
    from asyncfakes.asyncpg import postgres_error

    if pools.fake:
        pools.fake.fail_creation(postgres_error("3D000", MISSING_DB, severity="FATAL"))
        pool = pools.fake.create_pool(None, min_size=1, max_size=1)
    else:
        import asyncpg

        assert pools.dsn is not None
        pool = asyncpg.create_pool(_missing_database(pools.dsn), min_size=1, max_size=1)  # pyright: ignore[reportUnknownMemberType]

    with pytest.raises(error_class("InvalidCatalogNameError")) as caught:
        await pool

    error: Any = caught.value
    assert (MISSING_DB, "3D000", "FATAL") == (str(error), error.sqlstate, error.severity)


async def test_connect_fails_with_the_servers_error(pools: PoolTarget) -> None:
    """asyncpg.connect to a missing database raises its class; a refused port ConnectionRefusedError."""
    from asyncfakes.asyncpg import FakeConnection, postgres_error

    if pools.fake:
        conn = FakeConnection()
        conn.connect.raises_once(postgres_error("3D000", MISSING_DB, severity="FATAL"))
        conn.connect.raises_once(ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)"))
        connect: Any = conn.connect
        missing = refused = None
    else:
        import asyncpg

        assert pools.dsn is not None
        connect = asyncpg.connect  # asyncpg ships no types  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        missing, refused = _missing_database(pools.dsn), "postgresql://127.0.0.1:1/x"

    with pytest.raises(error_class("InvalidCatalogNameError"), match=MISSING_DB):
        await connect(missing)
    with pytest.raises(ConnectionRefusedError):
        await connect(refused)


async def test_close_waits_for_acquired_connections(pools: PoolTarget) -> None:
    """close() returns only once the acquired connection is released; is_closing() meanwhile."""
    pool = await pools.create_pool(min_size=0, max_size=2)
    held = await pool.acquire()
    close = asyncio.ensure_future(pool.close())
    await asyncio.sleep(0.05)
    waiting = (close.done(), pool.is_closing())

    await pool.release(held)
    await asyncio.wait_for(close, 5)

    assert (False, True) == waiting
    with pytest.raises(error_class("InterfaceError"), match="^pool is closed$"):
        await pool.acquire()


async def test_a_close_that_times_out_terminates_the_pool(pools: PoolTarget) -> None:
    """wait_for(pool.close(), t) with a connection held times out; the pool is then terminated."""
    pool = await pools.create_pool(min_size=0, max_size=2)
    held = await pool.acquire()

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(pool.close(), 0.1)

    assert True is pool.is_closing()
    with pytest.raises(error_class("InterfaceError"), match="released back to the pool"):
        await held.fetchval("SELECT 1")
    with pytest.raises(error_class("InterfaceError"), match="^pool is closed$"):
        await pool.acquire()
