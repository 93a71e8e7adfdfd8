"""FakeAsyncNullConnectionPool: what the contract half cannot show, and patch_psycopg() replacing the class."""

from __future__ import annotations

from typing import Any, cast

import anyio
import psycopg
import psycopg_pool
import pytest
from psycopg_pool import AsyncConnectionPool, AsyncNullConnectionPool

from asyncfakes import EntryCall, ExpectationsNotMet
from asyncfakes.psycopg import FakeAsyncConnectionPool, FakeAsyncNullConnectionPool, patch_psycopg

from .test_psycopg_pool import until_waiting

pytestmark = pytest.mark.anyio

REAL_NULL_POOL = psycopg_pool.AsyncNullConnectionPool


async def test_the_patch_hands_out_the_null_pool_wherever_the_code_found_the_class() -> None:
    """AsyncNullConnectionPool(...), imported before or not, subscripted or not, gives db.null_pool."""
    db = patch_psycopg()
    db.null_pool.script.execute.returns([{"n": 3}])
    async with db:
        made = AsyncNullConnectionPool[psycopg.AsyncConnection[Any]]("dbname=app", max_size=2, open=False)
        async with made as pool, pool.connection() as conn:
            cursor = await conn.execute("SELECT count(*) AS n FROM orders")
            assert (3,) == await cursor.fetchone()
        # A null pool is an AsyncConnectionPool, as in psycopg_pool; the other way round it is not.
        kinds = (
            isinstance(cast(object, db.null_pool), AsyncConnectionPool),
            isinstance(cast(object, db.null_pool), AsyncNullConnectionPool),
            isinstance(cast(object, db.pool), AsyncNullConnectionPool),
        )
        with pytest.raises(RuntimeError, match=r"^FakeAsyncNullConnectionPool.construct\(\): the pool"):
            psycopg_pool.AsyncNullConnectionPool("dbname=second")

    assert (True, True, False) == kinds
    assert psycopg_pool.AsyncNullConnectionPool is REAL_NULL_POOL
    assert AsyncNullConnectionPool is REAL_NULL_POOL
    assert cast(object, made) is db.null_pool
    assert ("dbname=app", 0, 2, True) == (db.null_pool.conninfo, made.min_size, made.max_size, made.closed)
    assert conn.closed
    assert [
        EntryCall("AsyncNullConnectionPool", ("dbname=app",), {"max_size": 2, "open": False}),
        EntryCall("AsyncNullConnectionPool", ("dbname=second",), {}),
    ] == db.calls
    assert {
        "psycopg_pool.AsyncNullConnectionPool",
        "psycopg_pool.null_pool_async.AsyncNullConnectionPool",
        f"{__name__}.AsyncNullConnectionPool",
    } <= set(db.patched)


def test_the_stand_in_classes_name_their_class() -> None:
    """While patched, each stand-in has its psycopg_pool name and documents what it does."""
    with patch_psycopg():
        names = (psycopg_pool.AsyncConnectionPool.__name__, psycopg_pool.AsyncNullConnectionPool.__name__)
        docs = (psycopg_pool.AsyncConnectionPool.__doc__, psycopg_pool.AsyncNullConnectionPool.__doc__)
    assert ("AsyncConnectionPool", "AsyncNullConnectionPool") == names
    assert [
        "psycopg_pool.AsyncConnectionPool while patch_psycopg() is active: makes the fake pool.",
        "psycopg_pool.AsyncNullConnectionPool while patch_psycopg() is active: makes the fake pool.",
    ] == list(docs)


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_the_patch_verifies_the_null_pool() -> None:
    """A connection the code never gave back to the null pool is reported, the null pool named."""
    with pytest.raises(ExpectationsNotMet) as excinfo:
        async with patch_psycopg():
            pool = psycopg_pool.AsyncNullConnectionPool(open=False)
            await pool.open()
            await pool.getconn()
    assert "  1. null pool: connection #0 was taken with getconn() and never given back" in str(excinfo.value)
    await pool.close()  # bound before the exit raised  # pyright: ignore[reportPossiblyUnboundVariable]


async def test_wait_does_not_use_a_connection_scripted_for_getconn() -> None:
    """With shared=False, add_connection() scripts what getconn() hands out; wait()'s connection is another."""
    async with FakeAsyncNullConnectionPool(shared=False, open=False) as pool:
        scripted = pool.add_connection()
        scripted.execute.returns([{"x": 7}])
        await pool.wait()
        async with pool.connection() as conn:
            row = await (await conn.execute("SELECT 7 AS x")).fetchone()
        stats = pool.get_stats()

    assert (conn, (7,)) == (scripted, row)
    assert [True, True] == [made.closed for made in pool.connections]
    assert pool.connections[1] is scripted
    assert (2, 1) == (stats["connections_num"], stats["requests_num"])


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_a_connection_handed_to_a_waiting_caller_is_rolled_back_and_reset() -> None:
    """Given back in a transaction while a caller waits: rolled back, reset, handed over, reported."""
    reset: list[object] = []
    got: list[tuple[object, str]] = []

    async def on_reset(conn: object) -> None:
        reset.append(conn)

    async with FakeAsyncNullConnectionPool(max_size=1, reset=on_reset, open=False) as pool:
        held = await pool.getconn()
        await held.execute("INSERT INTO t VALUES (1)")

        async def take() -> None:
            conn = await pool.getconn(timeout=5)
            got.append((conn, conn.info.transaction_status.name))
            await pool.putconn(conn)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(take)
            await until_waiting(pool)
            await pool.putconn(held)

    assert ([(held, "IDLE")], [held], True) == (got, reset, held.closed)
    assert [
        "connection #0 was returned to the pool in a transaction (INTRANS): psycopg_pool rolled it back, "
        "discarding its work. commit() first, or use `async with pool.connection() as conn`."
    ] == pool.problems()


def test_construct_twice_names_the_null_pool() -> None:
    """construct() configures a null pool once; the message names the fake and psycopg_pool's class."""
    pool = FakeAsyncNullConnectionPool(open=False).construct("dbname=x", name="n", open=False)
    with pytest.raises(RuntimeError) as excinfo:
        pool.construct("dbname=x", min_size=0)
    assert str(excinfo.value) == (
        "FakeAsyncNullConnectionPool.construct(): the pool 'n' was already constructed; one fake pool "
        "stands for one AsyncNullConnectionPool(...). For several pools, make a FakeAsyncNullConnectionPool "
        "for each and hand them to the code under test."
    )
    assert repr(pool) == "<psycopg FakeAsyncNullConnectionPool 'n' closed, 0 out>"
    assert isinstance(pool, FakeAsyncConnectionPool)


def test_construct_applies_the_null_pool_rules() -> None:
    """The patched AsyncNullConnectionPool(...) defaults min_size to 0 and refuses any other."""
    with patch_psycopg() as db, pytest.raises(ValueError, match="^null pools must have min_size = 0$"):
        psycopg_pool.AsyncNullConnectionPool(min_size=4, open=False)
    assert [EntryCall("AsyncNullConnectionPool", (), {"min_size": 4, "open": False})] == db.calls
