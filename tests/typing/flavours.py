"""Static checks per flavour: what each fake returns is the driver's shape, not ``Any``.

Checked by mypy and pyright alike (``assert_type`` is exact in both); nothing here runs.
"""

# pyright: reportUnnecessaryTypeIgnoreComment=error
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from asyncpg.exceptions import UniqueViolationError
from psqlpy.exceptions import ConnectionExecuteError
from psycopg import errors
from sqlalchemy.ext.asyncio import AsyncEngine
from typing_extensions import assert_type

from asyncfakes import EntryCall, Stub
from asyncfakes import asyncpg as fake_asyncpg
from asyncfakes import psqlpy as fake_psqlpy
from asyncfakes import psycopg as fake_psycopg
from asyncfakes.sqlalchemy import FakeEngine


async def check_asyncpg(conn: fake_asyncpg.FakeConnection, pool: fake_asyncpg.FakePool) -> None:
    assert_type(await conn.fetch("SELECT 1"), list[fake_asyncpg.Record])
    assert_type(await conn.fetchrow("SELECT 1"), fake_asyncpg.Record | None)
    assert_type(await conn.execute("DELETE FROM t"), str)
    assert_type(conn.transaction(), fake_asyncpg.FakeTransaction)
    assert_type(conn.transactions, Sequence[fake_asyncpg.FakeTransaction])
    assert_type(conn.fetch.when(sql="SELECT 1"), Stub)
    assert_type(pool.connection, fake_asyncpg.FakeConnection)
    assert_type(pool.acquire(), fake_asyncpg.FakePoolAcquireContext)
    error = fake_asyncpg.unique_violation("users_email_key")
    assert_type(error.sqlstate, str | None)
    assert_type(error.constraint_name, str | None)
    assert_type(fake_asyncpg.postgres_error(UniqueViolationError), UniqueViolationError)
    assert_type(fake_asyncpg.connection_lost().sqlstate, str | None)  # a PostgresConnectionError (08003)
    await conn.fetch(1)  # type: ignore[arg-type]


async def check_psqlpy(conn: fake_psqlpy.FakeConnection, pool: fake_psqlpy.FakeConnectionPool) -> None:
    assert_type(await conn.execute("SELECT 1"), fake_psqlpy.QueryResult)
    assert_type(await conn.fetch("SELECT 1"), fake_psqlpy.QueryResult)
    assert_type(await conn.fetch_row("SELECT 1"), fake_psqlpy.SingleQueryResult)
    assert_type(conn.transaction(), fake_psqlpy.FakeTransaction)
    assert_type(conn.transactions, Sequence[fake_psqlpy.FakeTransaction])
    assert_type(conn.cursor("SELECT 1"), fake_psqlpy.FakeCursor)
    assert_type(await pool.connection(), fake_psqlpy.FakeConnection)
    assert_type(pool.acquire(), fake_psqlpy.FakeConnection)
    assert_type((await conn.execute("SELECT 1")).result(), list[dict[str, Any]])
    await conn.execute("SELECT 1", prepared="yes")  # type: ignore[arg-type]
    assert_type(fake_psqlpy.postgres_error("boom"), ConnectionExecuteError)
    assert_type(fake_psqlpy.unique_violation("users_email_key"), ConnectionExecuteError)
    assert_type(fake_psqlpy.foreign_key_violation("fk", table="t"), ConnectionExecuteError)
    assert_type(fake_psqlpy.serialization_failure(), ConnectionExecuteError)
    assert_type(fake_psqlpy.deadlock_detected(), ConnectionExecuteError)
    assert_type(fake_psqlpy.connection_lost(), ConnectionExecuteError)


async def check_psycopg(conn: fake_psycopg.FakeAsyncConnection) -> None:
    assert_type(conn.transaction(), fake_psycopg.FakeAsyncTransaction)
    assert_type(conn.transactions, Sequence[fake_psycopg.FakeAsyncTransaction])
    assert_type(conn.cursor(), fake_psycopg.FakeAsyncCursor)
    assert_type(fake_psycopg.unique_violation("users_email_key"), errors.UniqueViolation)
    assert_type(fake_psycopg.unique_violation().diag.constraint_name, str | None)
    assert_type(fake_psycopg.foreign_key_violation(), errors.ForeignKeyViolation)
    assert_type(fake_psycopg.not_null_violation(), errors.NotNullViolation)
    assert_type(fake_psycopg.check_violation(), errors.CheckViolation)
    assert_type(fake_psycopg.serialization_failure(), errors.SerializationFailure)
    assert_type(fake_psycopg.deadlock_detected(), errors.DeadlockDetected)
    assert_type(fake_psycopg.query_canceled(), errors.QueryCanceled)
    assert_type(fake_psycopg.in_failed_transaction(), errors.InFailedSqlTransaction)
    assert_type(fake_psycopg.connection_lost(), psycopg.OperationalError)
    assert_type(fake_psycopg.postgres_error("23505", "duplicate").sqlstate, str | None)


async def check_psycopg_null_pool(pool: fake_psycopg.FakeAsyncNullConnectionPool) -> None:
    made = fake_psycopg.FakeAsyncNullConnectionPool("dbname=app", max_size=2, open=False)
    assert_type(made, fake_psycopg.FakeAsyncNullConnectionPool)
    async with pool as opened, opened.connection(timeout=1.0) as conn:
        assert_type(opened, fake_psycopg.FakeAsyncNullConnectionPool)
        assert_type(conn, fake_psycopg.FakeAsyncConnection)
    assert_type(await pool.getconn(), fake_psycopg.FakeAsyncConnection)
    assert_type(await pool.putconn(conn), None)
    assert_type(await pool.wait(timeout=1.0), None)
    assert_type(await pool.resize(0, 4), None)
    assert_type(pool.get_stats(), dict[str, int])
    assert_type(pool.construct("dbname=app", max_size=2), fake_psycopg.FakeAsyncNullConnectionPool)
    assert_type(pool.script, fake_psycopg.FakeAsyncConnection)
    assert_type(pool.connections, tuple[fake_psycopg.FakeAsyncConnection, ...])
    assert_type(fake_psycopg.patch_psycopg().null_pool, fake_psycopg.FakeAsyncNullConnectionPool)
    fake_psycopg.FakeAsyncNullConnectionPool(max_size="2")  # type: ignore[arg-type]


def check_patches() -> None:
    # The patch helpers' fakes are typed with each flavour's own classes (DriverPatch[Conn, Pool]).
    pg = fake_psycopg.patch_psycopg(strict=True)
    assert_type(pg, fake_psycopg.PsycopgPatch)
    assert_type(pg.connection, fake_psycopg.FakeAsyncConnection)
    assert_type(pg.connections, list[fake_psycopg.FakeAsyncConnection])
    assert_type(pg.pool, fake_psycopg.FakeAsyncConnectionPool)
    assert_type(pg.hand_out(), fake_psycopg.FakeAsyncConnection)
    assert_type(pg.calls[0], EntryCall)
    assert_type(pg.pool.construct("dbname=app", min_size=1), fake_psycopg.FakeAsyncConnectionPool)
    assert_type(fake_asyncpg.patch_asyncpg().pool, fake_asyncpg.FakePool)
    assert_type(fake_asyncpg.patch_asyncpg().connections, list[fake_asyncpg.FakeConnection])
    assert_type(fake_psqlpy.patch_psqlpy().pool, fake_psqlpy.FakeConnectionPool)
    assert_type(fake_psqlpy.patch_psqlpy().connection, fake_psqlpy.FakeConnection)
    pg.fail_connection("down")  # type: ignore[arg-type]


def check_sqlalchemy(fake: FakeEngine) -> None:
    assert_type(fake.engine, AsyncEngine)
