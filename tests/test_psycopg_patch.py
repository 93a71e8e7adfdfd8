"""patch_psycopg: code that calls AsyncConnection.connect or builds an AsyncConnectionPool gets fakes."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import psycopg
import psycopg.connection_async
import psycopg_pool
import pytest
from psycopg import AsyncConnection  # the pitfall of other drivers: a name imported before the patch
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from asyncfakes import EntryCall, ExpectationsNotMet
from asyncfakes.psycopg import (
    FakeAsyncConnection,
    FakeAsyncConnectionPool,
    PsycopgPatch,
    patch_psycopg,
    unique_violation,
)

pytestmark = pytest.mark.anyio

REAL_CONNECT = psycopg.AsyncConnection.__dict__["connect"]
REAL_POOL = psycopg_pool.AsyncConnectionPool
REAL_NULL_POOL = psycopg_pool.AsyncNullConnectionPool


def restored() -> bool:
    return (
        psycopg.AsyncConnection.__dict__["connect"] is REAL_CONNECT
        and psycopg_pool.AsyncConnectionPool is REAL_POOL
        and AsyncConnectionPool is REAL_POOL
        and psycopg_pool.pool_async.AsyncConnectionPool is REAL_POOL
        and psycopg_pool.AsyncNullConnectionPool is REAL_NULL_POOL
        and psycopg_pool.null_pool_async.AsyncNullConnectionPool is REAL_NULL_POOL
    )


async def test_connect_hands_out_configured_connections_sharing_one_script() -> None:
    """AsyncConnection.connect, however the code reached the class, gives a fake configured by its arguments."""
    with patch_psycopg() as db:
        db.connection.execute.returns([{"id": 1, "name": "Ana"}])
        options: dict[str, Any] = {"autocommit": True, "row_factory": dict_row}
        first = await AsyncConnection.connect("dbname=app", **options)
        second = await psycopg.connection_async.AsyncConnection.connect(conninfo="dbname=other", user="u")
        cursor = await first.execute("SELECT id, name FROM users")
        assert {"id": 1, "name": "Ana"} == await cursor.fetchone()
        await first.close()
        await second.close()

    assert restored()
    assert [first, second] == list[object](db.connections)
    assert isinstance(db.connections[0], FakeAsyncConnection)
    assert (True, False) == (first.autocommit, second.autocommit)
    assert ("dbname=other", {"user": "u"}) == (db.connections[1].conninfo, db.connections[1].conninfo_kwargs)
    assert [
        EntryCall("AsyncConnection.connect", ("dbname=app",), {"autocommit": True, "row_factory": dict_row}),
        EntryCall("AsyncConnection.connect", (), {"conninfo": "dbname=other", "user": "u"}),
    ] == db.calls
    assert ["SELECT id, name FROM users"] == db.connection.execute.calls.sql
    assert "psycopg.AsyncConnection.connect" in db.patched


async def test_the_pool_is_the_scripted_fake_wherever_the_code_found_the_class() -> None:
    """psycopg_pool.AsyncConnectionPool(...), imported before or not, subscripted or not, gives db.pool."""
    db = patch_psycopg()
    db.pool.script.execute.returns([{"n": 3}])  # scripted before the code makes the pool
    async with db:
        assert isinstance(cast(object, db.pool), AsyncConnectionPool)
        made = AsyncConnectionPool[psycopg.AsyncConnection[Any]](
            "dbname=app", min_size=1, max_size=2, open=False
        )
        async with made as pool, pool.connection() as conn:
            cursor = await conn.execute("SELECT count(*) AS n FROM orders")
            assert (3,) == await cursor.fetchone()
        with pytest.raises(RuntimeError, match=r"was already constructed; one fake pool stands for one"):
            psycopg_pool.AsyncConnectionPool("dbname=second")

    assert restored()
    assert cast(object, made) is db.pool
    assert ("dbname=app", 1, 2, True) == (db.pool.conninfo, made.min_size, made.max_size, made.closed)
    assert [
        EntryCall("AsyncConnectionPool", ("dbname=app",), {"min_size": 1, "max_size": 2, "open": False}),
        EntryCall("AsyncConnectionPool", ("dbname=second",), {}),
    ] == db.calls
    assert {
        "psycopg_pool.AsyncConnectionPool",
        "psycopg_pool.pool_async.AsyncConnectionPool",
        f"{__name__}.AsyncConnectionPool",
    } <= set(db.patched)
    assert not isinstance(made, AsyncConnectionPool)  # the real class again


async def test_a_pool_opened_before_the_code_constructs_it_is_refused() -> None:
    """construct() configures a pool once, before it is used."""
    pool = FakeAsyncConnectionPool(open=False, name="p")
    await pool.open()
    with pytest.raises(
        RuntimeError, match=r"^FakeAsyncConnectionPool.construct\(\): the pool 'p' was already opened"
    ):
        pool.construct(name="p")
    await pool.close()


@pytest.mark.asyncfakes(verify=False)  # problems are the point of this test
async def test_exit_verifies_every_fake_unless_the_body_raised() -> None:
    """Leftovers fail at exit, each fake named; an error in the body is left alone."""
    with pytest.raises(ExpectationsNotMet) as excinfo:
        async with patch_psycopg() as db:
            db.connection.execute.returns_once([])
            conn = await psycopg.AsyncConnection.connect()
            await conn.execute("INSERT INTO t VALUES (1)")
            await conn.close()
            db.pool.script.execute.returns_once(1)
    lines = str(excinfo.value).splitlines()
    assert lines[1].startswith("  1. connection #0: ")
    assert lines[2] == "  2. pool: conn.execute: a one-shot answer was never used (returns 1)."

    with pytest.raises(ZeroDivisionError), patch_psycopg() as db:
        db.connection.execute.returns_once([])
        _ = 1 / 0
    assert restored()
    assert ["conn.execute: a one-shot answer was never used (returns [])."] == db.problems()


def test_the_decorator_patches_sync_and_async_functions_with_fresh_fakes() -> None:
    """Each decorated call runs patched and verified; a second use starts from fresh fakes."""
    db = patch_psycopg()
    seen: list[Any] = []

    @db
    def sync_test(x: int) -> int:
        seen.append((psycopg.AsyncConnection.__dict__["connect"], db.connection))
        return x * 2

    @db
    async def async_test() -> int:
        db.connection.execute.returns(2)
        conn = await AsyncConnection.connect(autocommit=True)
        cursor = await conn.execute("DELETE FROM t")
        await conn.close()
        return cursor.rowcount

    assert 4 == sync_test(2)
    assert 2 == asyncio.run(async_test())
    assert 4 == sync_test(2)
    assert restored()
    assert seen[0][0] is not REAL_CONNECT
    assert seen[0][1] is not seen[1][1]  # fresh fakes for the second use
    assert "async_test" == async_test.__name__


@pytest.mark.asyncfakes(verify=False)
async def test_a_failed_connection_is_scripted_and_an_unused_failure_reported() -> None:
    """fail_connection(error) makes the next connect() raise it; one never raised is a problem."""
    down = psycopg.OperationalError("connection failed: Connection refused")
    db = patch_psycopg()
    unused = r"1 failure\(s\) scripted with fail_connection\(\) never happened"
    with pytest.raises(ExpectationsNotMet, match=unused), db:
        db.fail_connection(down, psycopg.OperationalError("again"))
        with pytest.raises(psycopg.OperationalError, match="Connection refused") as excinfo:
            await AsyncConnection.connect("host=db")
        assert excinfo.value is down
    with pytest.raises(TypeError, match=r"^fail_connection\(\) takes exception instances, got 'down'\.$"):
        db.fail_connection("down")  # type: ignore[arg-type]
    assert [] == db.connections
    assert [EntryCall("AsyncConnection.connect", ("host=db",), {})] == db.calls
    assert [
        "1 failure(s) scripted with fail_connection() never happened: the code under test connected "
        "fewer times than the test expected."
    ] == db.problems()
    db.reset()
    assert [] == db.problems()


def test_a_bound_method_kept_before_the_patch_is_not_reached() -> None:
    """connect = AsyncConnection.connect taken before the patch stays psycopg's: the one reference it cannot reach."""
    kept = psycopg.AsyncConnection.connect
    with patch_psycopg():
        assert kept.__func__ is REAL_CONNECT.__func__  # type: ignore[attr-defined]
        assert psycopg.AsyncConnection.connect is not kept


async def test_the_fixture_patches_for_the_test(psycopg_patch: PsycopgPatch) -> None:
    """The psycopg_patch fixture is active during the test; its fakes are verified with the test's."""
    psycopg_patch.connection.execute.when(sql="SELECT 1").returns([{"one": 1}])
    conn = await psycopg.AsyncConnection.connect("dbname=app", autocommit=True)
    assert (1,) == await (await conn.execute("SELECT 1")).fetchone()
    psycopg_patch.connection.execute.raises_once(unique_violation())
    with pytest.raises(psycopg.errors.UniqueViolation):
        await conn.execute("INSERT INTO t VALUES (1)")
    await conn.close()
    assert cast(object, conn) is psycopg_patch.connections[0]
