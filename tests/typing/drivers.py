"""Static checks: code annotated with the drivers' own classes receives a fake through as_*().

Each ``as_*()`` returns the driver's class to both checkers, so a function typed with
``psqlpy.Connection`` or ``asyncpg.Pool`` takes the fake without a ``cast`` or an ignore. asyncpg
ships no type information: mypy (``ignore_missing_imports``) sees its classes as ``Any``, pyright
reads them from asyncpg's source, and the checks hold in both. Nothing here runs.
"""

# pyright: reportUnnecessaryTypeIgnoreComment=error
from __future__ import annotations

from typing import Any

import asyncpg
import psqlpy
import psycopg
from typing_extensions import assert_type

from asyncfakes import asyncpg as fake_asyncpg
from asyncfakes import psqlpy as fake_psqlpy
from asyncfakes import psycopg as fake_psycopg


async def count_users(conn: psqlpy.Connection) -> int:
    count: int = await conn.fetch_val("SELECT count(*) FROM users")
    return count


async def count_orders(pool: psqlpy.ConnectionPool) -> int:
    async with pool.acquire() as conn:
        return await count_users(conn)


async def in_transaction(tx: psqlpy.Transaction) -> None:
    await tx.execute("DELETE FROM sessions")


def asyncpg_repository(conn: asyncpg.Connection) -> None:
    del conn  # asyncpg's own methods are unannotated: pyright would see their results as unknown


def asyncpg_service(pool: asyncpg.Pool) -> None:
    del pool


async def psqlpy_code(conn: fake_psqlpy.FakeConnection, pool: fake_psqlpy.FakeConnectionPool) -> None:
    assert_type(fake_psqlpy.as_connection(conn), psqlpy.Connection)
    assert_type(fake_psqlpy.as_pool(pool), psqlpy.ConnectionPool)
    assert_type(fake_psqlpy.as_transaction(conn.transaction()), psqlpy.Transaction)
    await count_users(fake_psqlpy.as_connection(conn))
    await count_orders(fake_psqlpy.as_pool(pool))
    await in_transaction(fake_psqlpy.as_transaction(conn.transaction()))
    await count_users(conn)  # type: ignore[arg-type]
    fake_psqlpy.as_pool(conn)  # type: ignore[arg-type]


async def asyncpg_code(conn: fake_asyncpg.FakeConnection, pool: fake_asyncpg.FakePool) -> None:
    assert_type(fake_asyncpg.as_connection(conn), asyncpg.Connection)
    assert_type(fake_asyncpg.as_pool(pool), asyncpg.Pool)
    asyncpg_repository(fake_asyncpg.as_connection(conn))
    asyncpg_service(fake_asyncpg.as_pool(pool))
    fake_asyncpg.as_pool(conn)  # type: ignore[arg-type]


async def psycopg_count(conn: psycopg.AsyncConnection[Any]) -> int:
    cursor = await conn.execute("SELECT count(*) FROM users")
    row = await cursor.fetchone()
    return 0 if row is None else int(row[0])


async def psycopg_code(conn: fake_psycopg.FakeAsyncConnection) -> None:
    assert_type(fake_psycopg.as_connection(conn), psycopg.AsyncConnection[Any])
    await psycopg_count(fake_psycopg.as_connection(conn))
    await psycopg_count(conn)  # type: ignore[arg-type]
