"""asyncfakes.asyncpg.FakePool: acquire/release, limits and waiting (asyncio and trio), scripts, verify()."""

from __future__ import annotations

import sys
from typing import Any

import anyio
import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.asyncpg import FakeConnection, FakePool, create_pool, error_class

pytestmark = pytest.mark.anyio

InterfaceError = error_class("InterfaceError")


async def test_connections_share_the_pools_script_and_history() -> None:
    """shared=True: every acquired connection answers from and records into pool.connection."""
    pool = FakePool(max_size=2)
    pool.connection.fetchval.returns(7)

    async with pool.acquire() as first, pool.acquire() as second:
        assert (7, 7) == (await first.fetchval("SELECT 1"), await second.fetchval("SELECT 2"))
        assert (first, second) == pool.in_use
        assert first is not pool.connection

    assert ["SELECT 1", "SELECT 2"] == pool.connection.calls.sql
    assert (pool.connection,) * 2 == pool.connections
    assert "<asyncfakes.asyncpg.FakePool open, 0/2 in use>" == repr(pool)


async def test_per_connection_scripts_follow_the_lowest_free_connection() -> None:
    """shared=False: each of the pool's connections has its own script, reused in order."""
    pool = FakePool(max_size=2, shared=False)
    first, second = pool.connections
    first.fetchval.returns("first")
    second.fetchval.returns("second")

    async with pool.acquire() as a, pool.acquire() as b:
        assert ("first", "second") == (await a.fetchval("SELECT 1"), await b.fetchval("SELECT 1"))
    assert "first" == await pool.fetchval("SELECT 1")

    assert (2, 1) == (len(first.calls), len(second.calls))
    with pytest.raises(AttributeError, match="shared=False: each connection has its own script"):
        _ = pool.connection


async def test_transactions_of_acquired_connections_are_listed_on_the_script() -> None:
    """Transactions made on acquired connections appear in pool.connection.transactions, numbered uniquely."""
    pool = FakePool()
    for _ in range(2):
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT 1")

    assert [0, 1] == [tx.number for tx in pool.connection.transactions]
    assert ["committed", "committed"] == [tx.state for tx in pool.connection.transactions]


async def test_acquire_waits_first_come_first_served() -> None:
    """An exhausted pool makes acquire wait; each release goes to the longest waiter."""
    pool = FakePool(max_size=1)
    held = await pool.acquire()
    order: list[str] = []

    async def wait(name: str) -> None:
        async with pool.acquire(timeout=5):
            order.append(name)
            await anyio.sleep(0)

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait, "a")
        await anyio.sleep(0.01)
        tg.start_soon(wait, "b")
        await anyio.sleep(0.01)
        await pool.release(held)

    assert ["a", "b"] == order
    assert (1, 1) == (pool.get_size(), pool.get_idle_size())


async def test_acquire_times_out_with_asyncios_timeout_error() -> None:
    """acquire(timeout=) on an exhausted pool raises asyncio.TimeoutError, on asyncio and trio."""
    import asyncio

    pool = FakePool(max_size=1)
    held = await pool.acquire()

    with pytest.raises(asyncio.TimeoutError):
        await pool.acquire(timeout=0.01)
    assert 0 == pool.get_idle_size()
    await pool.release(held)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # asyncio can cancel a task already handed its result
async def test_a_waiter_cancelled_after_being_served_gives_the_connection_back() -> None:
    """If the task is cancelled as its connection arrives, the connection goes back to the pool."""
    import asyncio

    pool = FakePool(max_size=1)
    held = await pool.acquire()
    waiter = asyncio.ensure_future(pool._acquire(None))  # pyright: ignore[reportPrivateUsage]
    await asyncio.sleep(0.01)

    await pool.release(held)  # handed to the waiter ...
    waiter.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiter

    async with pool.acquire(timeout=1) as conn:
        assert False is conn.is_closed()


async def test_a_waiter_cancelled_while_waiting_leaves_the_queue() -> None:
    """A cancelled acquire stops waiting; the next release goes to the next waiter or back to the pool."""
    pool = FakePool(max_size=1)
    held = await pool.acquire()

    with anyio.move_on_after(0.01):
        await pool.acquire()
    await pool.release(held)

    assert (0, 1) == (len(pool.in_use), pool.get_idle_size())


async def test_terminating_wakes_the_waiters_with_pool_is_closed() -> None:
    """Waiters of a pool that is terminated get InterfaceError('pool is closed')."""
    pool = FakePool(max_size=1)
    await pool.acquire()
    errors: list[str] = []

    async def wait() -> None:
        try:
            await pool.acquire()
        except InterfaceError as error:
            errors.append(str(error))

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait)
        await anyio.sleep(0.01)
        pool.terminate()

    assert ["pool is closed"] == errors


async def test_create_pool_configures_the_pool_and_needs_an_await() -> None:
    """create_pool() takes asyncpg's arguments, keeps them, and leaves the pool to be awaited."""
    pool = FakePool()
    made = pool.create_pool("postgresql://x/db", min_size=1, max_size=3, command_timeout=5)

    assert made is pool
    with pytest.raises(InterfaceError, match="^pool is not initialized$"):
        await pool.execute("SELECT 1")
    assert pool is await pool
    assert {
        "dsn": "postgresql://x/db",
        "min_size": 1,
        "max_size": 3,
        "command_timeout": 5,
    } == pool.create_args
    assert (1, 3, 1) == (pool.get_min_size(), pool.get_max_size(), pool.get_size())
    await pool.fetchrow("SELECT 1")
    with pytest.raises(RuntimeError, match="connections were already acquired from this pool"):
        pool.create_pool()


async def test_the_module_create_pool_makes_a_new_pool() -> None:
    """asyncfakes.asyncpg.create_pool has asyncpg's shape and defaults (min_size=10, max_size=10)."""
    pool = await create_pool("postgresql://x/db")

    assert (10, 10) == (pool.get_min_size(), pool.get_max_size())
    with pytest.raises(ValueError, match="^min_size is greater than max_size$"):
        create_pool(max_size=2)
    with pytest.raises(ValueError, match="^min_size is expected to be greater or equal to zero$"):
        FakePool(min_size=-1)


async def test_init_runs_once_per_connection_and_setup_on_every_acquire() -> None:
    """init(conn) on a connection's first use, setup(conn) on each acquire; a failing hook releases."""
    seen: list[str] = []

    async def init(conn: FakeConnection) -> None:
        await conn.set_type_codec("json", encoder=str, decoder=str)
        seen.append("init")

    async def setup(conn: FakeConnection) -> None:
        seen.append("setup")
        if len(seen) > 3:
            raise RuntimeError("setup failed")

    pool = await FakePool().create_pool(min_size=0, max_size=1, init=init, setup=setup)
    for _ in range(2):
        async with pool.acquire():
            pass
    with pytest.raises(RuntimeError, match="setup failed"):
        await pool.acquire()

    assert ["init", "setup", "setup", "setup"] == seen
    assert [("set_type_codec", "json")] == [(c.method, c.args[0]) for c in pool.connection.calls]
    assert () == pool.in_use


async def test_release_refuses_strangers_and_ignores_repeats() -> None:
    """Only this pool's connections can be released; a second release does nothing."""
    pool, other = FakePool(), FakePool()
    conn = await pool.acquire()
    await pool.release(conn)
    await pool.release(conn)

    borrowed = await other.acquire()
    for stranger in (FakeConnection(), borrowed):
        with pytest.raises(InterfaceError, match="^Pool.release\\(\\) received invalid connection: "):
            await pool.release(stranger)
    await other.release(borrowed)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_reports_leaks_open_transactions_and_script_problems_once() -> None:
    """Unreleased connections, open transactions and unused answers, each once."""
    pool = FakePool(max_size=3)
    pool.connection.fetch.returns_once([])
    await pool.acquire()
    in_transaction = await pool.acquire()
    await in_transaction.transaction().start()
    await pool.release(in_transaction)

    problems = pool.problems()
    assert 3 == len(problems), problems
    assert "one-shot answer was never used" in problems[0]
    assert problems[1].startswith("acquired connection #0 was never released")
    assert problems[2].startswith("acquired connection #1: <FakeTransaction #0 active> was never committed")
    with pytest.raises(ExpectationsNotMet, match=r"^3 problem\(s\) found by verify\(\):\n  1\. conn.fetch"):
        pool.verify()


async def test_close_waits_for_acquired_connections_and_terminate_does_not() -> None:
    """close() returns once the last connection is released; a timed-out close() terminates."""
    pool = FakePool(max_size=2)
    held = await pool.acquire()
    closing: list[str] = []

    async def close() -> None:
        await pool.close()
        closing.append("closed")

    async with anyio.create_task_group() as tg:
        tg.start_soon(close)
        await anyio.sleep(0.01)
        assert ([], True) == (closing, pool.is_closing())
        await pool.release(held)
    assert (["closed"], 0) == (closing, pool.get_size())
    await pool.close()  # again: nothing to do

    other = FakePool()
    stuck = await other.acquire()
    with pytest.raises(TimeoutError):
        with anyio.fail_after(0.01):
            await other.close()
    assert True is other.is_closing()
    with pytest.raises(InterfaceError, match="released back to the pool"):
        await stuck.fetchval("SELECT 1")
    other.verify()  # terminated: asyncpg's proxies act as released


async def test_terminate_wakes_a_waiting_close() -> None:
    """terminate() while close() waits ends the wait at once."""
    pool = FakePool()
    await pool.acquire()
    async with anyio.create_task_group() as tg:
        tg.start_soon(pool.close)
        await anyio.sleep(0.01)
        pool.terminate()
    assert True is pool.is_closing()


async def test_verify_passes_when_everything_was_released() -> None:
    """A clean run verifies; expire_connections() is accepted; terminate() closes."""
    pool = FakePool()
    async with pool.acquire():
        pass
    await pool.expire_connections()
    pool.verify()
    pool.terminate()

    with pytest.raises(InterfaceError, match="^pool is closed$"):
        await pool.fetch("SELECT 1")


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_unreleased_connection_is_reported() -> None:
    """A connection acquired and never released is named by verify()."""
    pool = FakePool()
    await pool.acquire()

    assert [
        "acquired connection #0 was never released: use `async with pool.acquire()` or `await pool.release(conn)`."
    ] == pool.problems()


async def test_an_async_with_pool_closes_at_exit() -> None:
    """`async with pool` gives the pool and closes it."""
    async with FakePool() as pool:
        assert False is pool.is_closing()

    assert True is pool.is_closing()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the no-trio path of the loop detection
async def test_waiting_works_without_trio_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's waiting uses asyncio when trio was never imported."""
    monkeypatch.delitem(sys.modules, "trio", raising=False)
    pool = FakePool(max_size=1)
    held = await pool.acquire()

    async def release_soon() -> None:
        await anyio.sleep(0.01)
        await pool.release(held)

    results: list[Any] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(release_soon)
        results.append(await pool.acquire(timeout=5))

    assert 1 == len(results)
    await pool.release(results[0])


async def test_the_shortcuts_acquire_a_connection_for_one_call() -> None:
    """pool.execute/executemany/fetch/fetchrow/fetchval/fetchmany run on an acquired connection."""
    pool = FakePool(max_size=1)
    pool.connection.fetch.returns([{"a": 1}])

    got: Any = (
        await pool.execute("UPDATE t SET a = 1"),
        await pool.executemany("UPDATE t SET a = $1", [(1,)]),  # type: ignore[func-returns-value]
        await pool.fetch("SELECT 1"),
        await pool.fetchrow("SELECT 1"),
        await pool.fetchval("SELECT 1", column=0),
        await pool.fetchmany("SELECT $1::int", [(1,)]),
    )

    assert ("UPDATE 0", None, [(1,)], None, None, []) == got
    assert 6 == len(pool.connection.calls)
    assert () == pool.in_use


async def test_limits_contexts_and_terminate() -> None:
    """max_size must be > 0; an acquire context is single-use; close twice is fine; terminate releases."""
    with pytest.raises(ValueError, match="^max_size is expected to be greater than zero$"):
        FakePool(max_size=0)
    pool = FakePool(max_size=2)
    context = pool.acquire()
    async with context:
        pass
    with pytest.raises(InterfaceError, match="^a connection is already acquired$"):
        await context.__aenter__()
    held = await pool.acquire()
    pool.terminate()
    await pool.close()

    with pytest.raises(InterfaceError, match="released back to the pool"):
        await held.fetch("SELECT 1")


async def test_answers_scripted_before_create_pool_are_kept() -> None:
    """Scripting the pool first and letting the code create it keeps the script (shared or not)."""
    pool = FakePool()
    pool.connection.fetchval.returns(41)
    created = await pool.create_pool("postgresql://x/db", min_size=1, max_size=5)
    assert 41 == await created.fetchval("SELECT count(*) FROM orders")
    assert 5 == len(pool.connections)

    own = FakePool(shared=False, max_size=2)
    own.connections[1].fetchval.returns(2)
    await own.create_pool(min_size=0, max_size=3)
    assert 3 == len(own.connections)
    assert own.connections[1].fetchval.await_count == 0
    async with own.acquire() as first, own.acquire() as second:
        assert 2 == await second.fetchval("SELECT 2")
        assert None is await first.fetchval("SELECT 1")


def test_create_pool_refuses_to_drop_scripted_connections() -> None:
    """A create_pool() smaller than the connections the test scripted fails at once, saying which."""
    pool = FakePool(shared=False, max_size=3)
    pool.connections[2].fetch.returns([])
    with pytest.raises(ValueError, match=r"pool.connections\[2\] would be dropped with their answers"):
        pool.create_pool(min_size=0, max_size=2)


async def test_fail_creation_raises_at_each_await_of_create_pool_in_order() -> None:
    """Scripted creation failures raise one per await; then the pool comes up; verify() is clean."""
    pool = FakePool()
    pool.fail_creation(ConnectionRefusedError(111, "refused"), OSError("unreachable"))

    with pytest.raises(ConnectionRefusedError):
        await pool.create_pool("postgresql://db/app", min_size=1)
    with pytest.raises(OSError, match="unreachable"):
        await pool.create_pool("postgresql://db/app", min_size=1)
    async with pool.create_pool("postgresql://db/app", min_size=1) as ready:
        assert None is await ready.fetchval("SELECT 1")

    assert "postgresql://db/app" == (pool.create_args or {})["dsn"]
    pool.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
def test_fail_creation_refuses_what_is_not_an_exception_and_reports_unused_ones() -> None:
    """A non-exception is refused at once; failures never reached are reported by verify()."""
    pool = FakePool()
    with pytest.raises(TypeError, match=r"fail_creation\(\) takes exception instances, got 'x'"):
        pool.fail_creation("x")  # type: ignore[arg-type]
    pool.fail_creation(ConnectionRefusedError(111, "refused"))

    with pytest.raises(
        ExpectationsNotMet, match=r"pool.fail_creation\(ConnectionRefusedError.*was never used"
    ):
        pool.verify()
