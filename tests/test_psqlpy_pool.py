"""asyncfakes.psqlpy FakeConnectionPool: slots, blocking when exhausted, scripts, and verify()."""

from __future__ import annotations

import asyncio
import os

import anyio
import pytest

from asyncfakes import ExpectationsNotMet
from asyncfakes.psqlpy import FakeConnection, FakeConnectionPool
from asyncfakes.psqlpy import exceptions as exc

pytestmark = pytest.mark.anyio


def counts(pool: FakeConnectionPool) -> tuple[int, int, int, int]:
    """The four numbers of pool.status()."""
    status = pool.status()
    return status.max_size, status.size, status.available, status.waiting


def test_the_size_defaults_to_four_per_cpu_and_must_be_at_least_two() -> None:
    """No size gives psqlpy's default; a size below 2 or not an int is refused at once."""
    assert (os.cpu_count() or 1) * 4 == FakeConnectionPool().status().max_size
    with pytest.raises(exc.ConnectionPoolConfigurationError, match="must be more than 1"):
        FakeConnectionPool(1)
    for bad in (True, "2", 2.0):
        with pytest.raises(TypeError, match="^max_db_pool_size takes an int > 1"):
            FakeConnectionPool(bad)  # type: ignore[arg-type]


async def test_connections_share_the_pools_script_and_history() -> None:
    """By default every connection answers from pool.script and records into pool.calls."""
    pool = FakeConnectionPool(2)
    pool.script.fetch_val.returns(7)

    first = await pool.connection()
    async with pool.acquire() as second:
        values = [await first.fetch_val("SELECT 1"), await second.fetch_val("SELECT 2")]
    first.close()

    assert ([7, 7], (first, second)) == (values, pool.connections)
    assert ["SELECT 1", "SELECT 2"] == pool.calls.sql
    pool.verify()


async def test_with_shared_false_each_connection_has_its_own_script() -> None:
    """add_connection() gives the fake the next acquisition hands out, to script it first."""
    pool = FakeConnectionPool(2, shared=False)
    scripted = pool.add_connection()
    scripted.fetch_val.returns(1)

    async with pool.acquire() as first, pool.acquire() as second:
        assert first is scripted
        assert 1 == await first.fetch_val("SELECT 1")
        await second.execute("SELECT 2")

    assert (["SELECT 1"], ["SELECT 2"], ["SELECT 1", "SELECT 2"]) == (
        first.calls.sql,
        second.calls.sql,
        pool.calls.sql,
    )
    with pytest.raises(AttributeError, match=r"shared=False\) has no shared script"):
        pool.script  # noqa: B018


async def test_status_counts_opened_idle_and_taken_connections() -> None:
    """size is how many were opened, available how many of those are idle."""
    pool = FakeConnectionPool(3)
    fresh = counts(pool)
    first, second = await pool.connection(), await pool.connection()
    both = counts(pool)
    first.close()
    first.close()

    assert [(3, 0, 0, 0), (3, 2, 0, 0), (3, 2, 1, 0)] == [fresh, both, counts(pool)]
    assert (
        "<psqlpy FakeConnectionPool open, Connection Pool Status - [max_size: 3, size: 2, available: 1, waiting: 0]>"
        == repr(pool)
    )
    second.close()


async def test_an_exhausted_pool_blocks_until_a_connection_is_given_back() -> None:
    """The next acquisition waits (until_blocked() sees it) and gets the first slot given back."""
    pool = FakeConnectionPool(2)
    first, second = await pool.connection(), await pool.connection()
    got: list[FakeConnection] = []

    async with anyio.create_task_group() as tasks:

        async def third() -> None:
            async with pool.acquire() as conn:
                got.append(conn)

        tasks.start_soon(third)
        await pool.until_blocked()
        assert (2, 2, 0, 1) == counts(pool)  # blocked
        await pool.until_blocked()
        first.close()

    assert (1, (2, 2, 1, 0)) == (len(got), counts(pool))
    second.close()
    pool.verify()


async def test_a_cancelled_wait_leaves_the_line() -> None:
    """Cancelling a blocked acquisition removes it; the slot given back later returns to the pool."""
    pool = FakeConnectionPool(2)
    first, second = await pool.connection(), await pool.connection()

    with anyio.move_on_after(0.05):
        await pool.connection()
    first.close()

    assert (2, 2, 1, 0) == counts(pool)
    second.close()


def test_a_waiter_cancelled_after_it_was_handed_a_slot_passes_the_slot_on() -> None:
    """asyncio only: a task can be cancelled after its wait completed but before it resumed."""

    async def scenario() -> tuple[int, int, int, int]:
        pool = FakeConnectionPool(2)
        first, second = await pool.connection(), await pool.connection()
        waiter = asyncio.ensure_future(pool.connection())
        await pool.until_blocked()
        first.close()  # hands the slot to the waiter...
        waiter.cancel()  # ...which is cancelled before it runs again
        with pytest.raises(asyncio.CancelledError):
            await waiter
        second.close()
        return counts(pool)

    assert (2, 2, 2, 0) == asyncio.run(scenario())


async def test_closing_the_pool_fails_acquisitions_and_blocked_waiters() -> None:
    """After close() connection() raises, blocked ones too; taken connections keep working."""
    pool = FakeConnectionPool(2)
    first, second = await pool.connection(), await pool.connection()
    failures: list[str] = []

    async with anyio.create_task_group() as tasks:

        async def blocked() -> None:
            try:
                await pool.connection()
            except exc.BaseConnectionPoolError as error:
                failures.append(str(error))

        tasks.start_soon(blocked)
        await pool.until_blocked()
        with pool:
            pass
        pool.close()

    assert ["Database engine pool exception: Pool has been closed"] == failures
    with pytest.raises(exc.BaseConnectionPoolError):
        await pool.acquire().__aenter__()
    assert [] == (await first.execute("SELECT 1")).result()
    assert (0, 2, 0, 0) == counts(pool)
    first.close()
    second.close()
    assert (0, 0, 0, 0) == counts(pool)


async def test_resize_wakes_waiters_and_a_smaller_pool_shrinks_as_connections_return() -> None:
    """A bigger pool serves the line at once; in a smaller one returned connections are not handed on."""
    pool = FakeConnectionPool(2)
    first, second = await pool.connection(), await pool.connection()
    got: list[FakeConnection] = []

    async def take() -> None:
        got.append(await pool.connection())

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(take)
        await pool.until_blocked()
        pool.resize(3)

    pool.resize(2)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(take)
        await pool.until_blocked()
        first.close()  # 3 taken, max 2: this slot closes instead of serving the line
        assert (2, 2, 0, 1) == counts(pool)  # still blocked
        second.close()

    assert 2 == len(got)
    for conn in got:
        conn.close()


async def test_a_connection_from_acquire_needs_async_with() -> None:
    """Before `async with`, a connection from acquire() is not usable and holds no slot."""
    pool = FakeConnectionPool(2)
    conn = pool.acquire()

    with pytest.raises(exc.ConnectionClosedError):
        await conn.execute("SELECT 1")
    assert ("<psqlpy FakeConnection not acquired yet, 1 calls>", (2, 0, 0, 0)) == (repr(conn), counts(pool))
    conn.close()
    pool.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_reports_leaked_connections_blocked_waiters_and_their_problems() -> None:
    """Connections never given back, acquisitions still waiting, and each connection's problems."""
    pool = FakeConnectionPool(2)
    pool.script.fetch.returns_once([])
    first = await pool.connection()
    await first.transaction().begin()
    second = await pool.connection()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(pool.connection)
        await pool.until_blocked()
        with pytest.raises(ExpectationsNotMet) as found:
            pool.verify()
        lines = str(found.value).splitlines()
        assert "5 problem(s) found by pool.verify():" == lines[0]
        assert lines[1].startswith("  1. conn.fetch: a one-shot answer was never used")
        assert lines[2].startswith(
            "  2. connection #0: <psqlpy FakeTransaction #0 active> was never committed"
        )
        assert lines[3].startswith("  3. connection #0 (taken at ")
        assert "is still out: never closed, and still referenced" in lines[3]
        assert lines[4].startswith("  4. connection #1 (taken at ")
        assert "  5. 1 acquisition(s) are still blocked waiting for a connection (max_size=2)." == lines[5]
        first.close()

    second.close()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_of_a_per_connection_pool_lists_each_connections_problems() -> None:
    """With shared=False every connection's unused answers are reported under its number."""
    pool = FakeConnectionPool(2, shared=False)
    pool.add_connection().fetch.returns_once([])
    async with pool.acquire():
        pass

    with pytest.raises(ExpectationsNotMet, match=r"1\. connection #0: conn\.fetch: a one-shot answer"):
        pool.verify()


async def test_until_blocked_returns_at_once_when_enough_are_waiting() -> None:
    """until_blocked(0) does not wait."""
    pool = FakeConnectionPool(2)

    await pool.until_blocked(0)

    assert (2, 0, 0, 0) == counts(pool)


def test_connect_pool_takes_psqlpys_arguments_and_records_them() -> None:
    """connect_pool() has psqlpy's arguments, keeps them in create_args and sizes the pool."""
    pool = FakeConnectionPool()
    assert {"dsn": None, "max_db_pool_size": None} == pool.create_args

    made = pool.connect_pool("postgres://app@db/app", max_db_pool_size=5, application_name="api")

    assert made is pool
    assert {
        "dsn": "postgres://app@db/app",
        "max_db_pool_size": 5,
        "application_name": "api",
    } == pool.create_args
    assert 5 == pool.status().max_size
    assert {"dsn": "x", "max_db_pool_size": 3, "ssl_mode": None} == FakeConnectionPool(
        3, dsn="x", ssl_mode=None
    ).create_args


def test_unknown_pool_arguments_are_refused_with_a_suggestion() -> None:
    """A misspelt psqlpy argument is a TypeError naming it and the nearest real one."""
    with pytest.raises(
        TypeError, match=r"unexpected keyword argument\(s\) \['db_nam'\].*Did you mean 'db_name'\?"
    ):
        FakeConnectionPool(db_nam="x")
    with pytest.raises(TypeError, match=r"\['zzz'\]; psqlpy's are dsn, max_db_pool_size and \[.*\]\.$"):
        FakeConnectionPool().connect_pool(zzz=1)


async def test_connect_pool_refuses_a_pool_already_in_use() -> None:
    """Reconfiguring a pool whose connections were taken is a mistake, refused at once."""
    pool = FakeConnectionPool(2)
    conn = await pool.connection()
    with pytest.raises(RuntimeError, match="connections were already taken from this pool"):
        pool.connect_pool(max_db_pool_size=3)
    conn.close()


async def test_scripted_creation_and_connection_failures_are_raised_once_each() -> None:
    """fail_creation() fails connect_pool(), fail_connection() fails connection(); unused ones are reported."""
    from asyncfakes.psqlpy import connection_refused

    pool = FakeConnectionPool(2)
    pool.fail_creation(exc.ConnectionPoolBuildError("bad dsn"))
    pool.fail_connection(connection_refused(), connection_refused())
    with pytest.raises(exc.ConnectionPoolBuildError, match="bad dsn"):
        pool.connect_pool("nonsense")
    assert pool is pool.connect_pool("postgres://db")
    with pytest.raises(exc.BaseConnectionPoolError, match="Connection refused"):
        await pool.connection()

    with pytest.raises(ExpectationsNotMet, match=r"pool.fail_connection\(.*\) was never used"):
        pool.verify()
    with pytest.raises(exc.BaseConnectionPoolError, match="Connection refused"):
        await pool.connection()
    conn = await pool.connection()
    conn.close()
    assert ((os.cpu_count() or 1) * 4, 1, 1, 0) == counts(pool)
    pool.verify()
    with pytest.raises(TypeError, match=r"fail_creation\(\) takes exception instances, got 'x'"):
        pool.fail_creation("x")  # type: ignore[arg-type]
