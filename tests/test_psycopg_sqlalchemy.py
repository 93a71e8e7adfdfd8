"""SQLAlchemy's own postgresql+psycopg dialect runs on FakeAsyncConnection (the surface it touches)."""

from __future__ import annotations

import pytest

from asyncfakes.psycopg import FakeAsyncConnection

sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("greenlet")

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """SQLAlchemy's asyncio extension runs on asyncio."""
    return "asyncio"


def scripted() -> FakeAsyncConnection:
    """A fake answering the dialect's start-up queries."""
    conn = FakeAsyncConnection()
    conn.when(sql="select pg_catalog.version()").returns([{"version": "PostgreSQL 15.0 on x86_64"}])
    conn.when(sql="select current_schema()").returns([{"current_schema": "public"}])
    conn.when(sql="show standard_conforming_strings").returns([{"standard_conforming_strings": "on"}])
    conn.when(sql="show transaction isolation level").returns([{"transaction_isolation": "read committed"}])
    return conn


async def test_the_psycopg_dialect_queries_and_commits_through_the_fake() -> None:
    """Core text queries give the scripted rows; BEGIN/COMMIT and close reach the fake."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    conn = scripted()
    conn.when(sql="SELECT id, name FROM users WHERE id = %(id)s").returns([{"id": 1, "name": "Ana"}])

    async def creator() -> FakeAsyncConnection:
        return conn

    # use_native_hstore=False: psycopg's TypeInfo.fetch accepts only real connections.
    engine = create_async_engine("postgresql+psycopg://", async_creator=creator, use_native_hstore=False)
    async with engine.connect() as session:
        rows = (await session.execute(text("SELECT id, name FROM users WHERE id = :id"), {"id": 1})).all()
        await session.execute(text("UPDATE users SET name = 'Bo'"))
        await session.commit()
    await engine.dispose()

    assert [(1, "Ana")] == [tuple(row) for row in rows]
    assert ["COMMIT"] == [c.sql for c in conn.calls.filter(method="commit")]
    assert (True, {"id": 1}) == (
        conn.closed,
        conn.execute.calls.filter(sql="SELECT id, name FROM users WHERE id = %(id)s").one().params,
    )
