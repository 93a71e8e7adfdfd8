"""asyncfakes.psycopg FakeAsyncConnectionPool: scripts, callbacks, sizes, waiting and verify()."""
# It drives the pool's waiting line and idle set directly, for the races no public call can stage.
# pyright: reportPrivateUsage=false

from __future__ import annotations

import anyio
import psycopg
import psycopg.rows
import pytest
from psycopg_pool import PoolTimeout, TooManyRequests

from asyncfakes import ExpectationsNotMet
from asyncfakes.psycopg import FakeAsyncConnection, FakeAsyncConnectionPool
from asyncfakes.psycopg._pool_parts import Waiter as _Waiter

pytestmark = pytest.mark.anyio


async def test_a_shared_script_answers_every_connection() -> None:
    """pool.script scripts all connections; pool.calls lists their calls in one history."""
    async with FakeAsyncConnectionPool(min_size=1, max_size=2) as pool:
        pool.script.execute.returns([{"n": 1}])
        async with pool.connection() as first, pool.connection() as second:
            rows = [await (await c.execute("SELECT 1")).fetchall() for c in (first, second)]

    assert [[(1,)], [(1,)]] == rows
    expected = ["start", "execute", "start", "execute", "commit", "commit", "close", "close"]
    assert expected == [c.method for c in pool.calls]  # closing the pool closes its idle connections
    assert 2 == len(pool.connections)
    pool.verify()


async def test_separate_scripts_per_connection() -> None:
    """shared=False: add_connection() scripts the next connection; pool.calls joins their calls."""
    async with FakeAsyncConnectionPool(min_size=1, shared=False) as pool:
        scripted = pool.add_connection()
        scripted.execute.returns([{"n": 7}])
        async with pool.connection() as conn:
            row = await (await conn.execute("SELECT 1")).fetchone()

        with pytest.raises(AttributeError, match="has no shared script"):
            _ = pool.script

    assert ((7,), scripted) == (row, conn)
    assert ["start", "execute", "commit", "close"] == [c.method for c in pool.calls]


async def test_check_and_reset_callbacks_run() -> None:
    """check runs on each getconn, reset on each putconn."""
    seen: list[str] = []

    async def check(conn: FakeAsyncConnection) -> None:
        seen.append("check")

    async def reset(conn: FakeAsyncConnection) -> None:
        seen.append("reset")

    async with FakeAsyncConnectionPool(min_size=1, check=check, reset=reset) as pool, pool.connection():
        pass

    assert ["check", "reset"] == seen


@pytest.mark.parametrize(
    ("min_size", "max_size", "message"),
    [
        (-1, None, "min_size cannot be negative"),
        (2, 1, "max_size must be greater or equal than min_size"),
        (0, None, "if min_size is 0 max_size must be greater than 0"),
    ],
)
def test_sizes_are_checked(min_size: int, max_size: int | None, message: str) -> None:
    """psycopg_pool's size checks and messages."""
    with pytest.raises(ValueError, match=f"^{message}$"):
        FakeAsyncConnectionPool(min_size=min_size, max_size=max_size, open=False)


async def test_an_implicitly_opened_pool_warns_at_first_use() -> None:
    """open=None opens the pool, and the first getconn warns as psycopg_pool does."""
    pool = FakeAsyncConnectionPool(min_size=1, kwargs={"row_factory": psycopg.rows.dict_row})

    with pytest.warns(RuntimeWarning, match="in the constructor is deprecated"):
        conn = await pool.getconn()
    await pool.putconn(conn)
    again = await pool.getconn()

    assert (conn, psycopg.rows.dict_row) == (again, again.row_factory)
    await pool.putconn(again)
    await pool.close()


async def until_waiting(pool: FakeAsyncConnectionPool) -> None:
    """Let the other tasks run until a caller waits for a connection (no fixed sleep: load-proof)."""
    with anyio.fail_after(10):
        while not pool.get_stats()["requests_waiting"]:
            await anyio.sleep(0)


async def test_resize_serves_the_waiting_callers() -> None:
    """A larger max_size hands new connections to callers already waiting."""
    got: list[FakeAsyncConnection] = []
    async with FakeAsyncConnectionPool(min_size=1, max_size=1) as pool:
        held = await pool.getconn()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: _take(pool, got))
            await until_waiting(pool)
            await pool.resize(1, 2)
            await pool.resize(2)
        sizes = (pool.min_size, pool.max_size)
        for conn in (held, *got):
            await pool.putconn(conn)

    assert (1, (2, 2)) == (len(got), sizes)


async def _take(pool: FakeAsyncConnectionPool, got: list[FakeAsyncConnection]) -> None:
    got.append(await pool.getconn(timeout=5))


async def test_max_waiting_refuses_more_callers() -> None:
    """max_waiting=1: a second waiting caller gets TooManyRequests."""
    async with FakeAsyncConnectionPool(min_size=1, max_size=1, max_waiting=1, name="w") as pool:
        held = await pool.getconn()
        with pytest.raises(PoolTimeout):
            await pool.getconn(timeout=0.01)
        with pytest.raises(TooManyRequests, match="^the pool 'w' has already 1 requests waiting$"):
            await pool.getconn(timeout=0.01)
        await pool.putconn(held)
        stats = pool.pop_stats()

    assert (2, 3, 1, 0) == (
        stats["requests_errors"],
        stats["requests_num"],
        stats["requests_queued"],
        len(pool._waiting),
    )
    assert "requests_num" not in pool.get_stats()


async def test_a_cancelled_waiter_gives_up() -> None:
    """A caller cancelled while waiting leaves; a connection returned later goes back to the pool."""
    async with FakeAsyncConnectionPool(min_size=1, max_size=1) as pool:
        held = await pool.getconn()
        with anyio.move_on_after(0.01):
            await pool.getconn(timeout=5)
        await pool.putconn(held)
        stats = pool.get_stats()
        pool.verify()

    assert (1, 0) == (stats["pool_available"], stats["requests_waiting"])


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_waiter_served_as_it_times_out_keeps_the_connection_in_the_pool() -> None:
    """If the connection arrives in the very moment the caller gives up, the pool keeps it."""
    pool = FakeAsyncConnectionPool(min_size=1, max_size=1, open=False)
    await pool.open()
    held = await pool.getconn()
    waiter = await _served_then_timed_out(pool, held)

    assert (held in pool._idle, waiter.gone) == (True, True)
    await pool.close()


async def _served_then_timed_out(pool: FakeAsyncConnectionPool, held: FakeAsyncConnection) -> _Waiter:
    waiter = _Waiter()
    pool._out.append(held)
    waiter.conn = held
    pool._give_up(waiter)
    return waiter


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_returning_bad_connections() -> None:
    """A closed connection is discarded; one that cannot roll back is closed; a stranger is refused."""
    async with FakeAsyncConnectionPool(min_size=1, max_size=3) as pool:
        closed, failing, fine = await pool.getconn(), await pool.getconn(), await pool.getconn()
        await closed.close()
        await pool.putconn(closed)
        await failing.execute("SELECT 1")
        pool.script.when(sql="ROLLBACK").raises_once(psycopg.OperationalError("gone"))
        await pool.putconn(failing)
        stranger = FakeAsyncConnection()
        stranger._pool = object()
        with pytest.raises(ValueError, match="it comes from another pool"):
            await pool.putconn(stranger)
        await pool.check()
        stats = pool.get_stats()

    assert (True, 2) == (failing.closed, stats["returns_bad"])
    assert fine in pool._out  # never given back: verify() reports it
    with pytest.raises(ExpectationsNotMet, match="taken with getconn\\(\\) and never given back"):
        pool.verify()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_verify_reports_leaks_waiters_and_connection_problems() -> None:
    """Connections never returned, callers still waiting, and each connection's own problems."""
    pool = FakeAsyncConnectionPool(min_size=1, max_size=1, shared=False, open=False)
    await pool.open()
    conn = await pool.getconn()
    conn.execute.returns_once([{"n": 1}])

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_take_quietly, pool)
        await until_waiting(pool)
        with pytest.raises(ExpectationsNotMet) as info:
            pool.verify()
        text = str(info.value)
        assert "connection #0: 1 one-shot answer" in text or "connection #0:" in text
        assert "1 caller(s) are still waiting" in text
        assert "never given back" in text
        await pool.close()

    assert repr(pool).startswith("<psycopg FakeAsyncConnectionPool 'pool-")
    await pool.putconn(conn)


async def _take_quietly(pool: FakeAsyncConnectionPool) -> None:
    try:
        await pool.getconn(timeout=5)
    except psycopg.OperationalError:
        pass


async def test_wait_returns_at_once() -> None:
    """pool.wait(): the fake pool is always full."""
    async with FakeAsyncConnectionPool(min_size=2) as pool:
        await pool.wait()
        assert 2 == pool.get_stats()["pool_available"]
