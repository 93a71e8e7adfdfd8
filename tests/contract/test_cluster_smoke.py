"""Smoke test: the contract-test fixtures give us a PostgreSQL server we can query."""

from __future__ import annotations

import pytest

asyncpg = pytest.importorskip("asyncpg")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_select_one(pg_dsn: str) -> None:
    conn = await asyncpg.connect(pg_dsn)
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()


@pytest.mark.anyio
async def test_isolated_database_is_fresh_and_private(pg_dsn: str, pg_isolated_dsn: str) -> None:
    conn = await asyncpg.connect(pg_isolated_dsn)
    try:
        dbname = await conn.fetchval("SELECT current_database()")
        assert dbname.startswith("asyncfakes_")
        tables = await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables == 0
        await conn.execute("CREATE TABLE t (id int PRIMARY KEY)")
        assert await conn.execute("INSERT INTO t VALUES (1), (2)") == "INSERT 0 2"
    finally:
        await conn.close()
    admin = await asyncpg.connect(pg_dsn)
    try:
        assert await admin.fetchval("SELECT current_database()") == "postgres"
    finally:
        await admin.close()
