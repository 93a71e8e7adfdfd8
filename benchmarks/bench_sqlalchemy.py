"""The cost of one typical SQLAlchemy ORM test, three ways: FakeEngine, in-memory SQLite, AsyncMock.

The test: make an engine and a session, add and commit a row, select it back, assert. On
``FakeEngine`` the select is scripted; on ``sqlite+aiosqlite:///:memory:`` (what people use
instead today) the tables are made with ``create_all`` first; with ``AsyncMock`` the session is a
mock whose ``scalars`` result is set by hand (and nothing checks the SQL). Used by ``bench.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from unittest.mock import AsyncMock, MagicMock

FAKE = "asyncfakes FakeEngine"
SQLITE = "sqlite+aiosqlite :memory: + create_all"
MOCK = "AsyncMock session"


def _models() -> tuple[Any, Any]:
    from sqlalchemy import Integer, String
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):  # columns without annotations: SQLAlchemy is imported lazily, in here
        __tablename__ = "items"

        id = mapped_column(Integer, primary_key=True)
        name = mapped_column(String(50))

    return Base, Item


def _tests() -> dict[str, Callable[[], Awaitable[None]]]:
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    from asyncfakes.sqlalchemy import FakeEngine

    base, item = _models()
    query = select(item).where(item.id == 1)

    async def on_fake() -> None:
        fake = FakeEngine()
        fake.when(query).returns([{"id": 1, "name": "Ana"}])
        async with AsyncSession(fake.engine, expire_on_commit=False) as session:
            session.add(item(name="Ana"))
            await session.commit()
            found = (await session.scalars(query)).one()
        assert "Ana" == found.name
        fake.verify()  # nothing to dispose of: the fake holds no sockets or threads

    async def on_sqlite() -> None:
        engine = create_async_engine("sqlite+aiosqlite:///:memory:")
        async with engine.begin() as conn:
            await conn.run_sync(base.metadata.create_all)
        async with AsyncSession(engine, expire_on_commit=False) as session:
            session.add(item(name="Ana"))
            await session.commit()
            found = (await session.scalars(query)).one()
        assert "Ana" == found.name
        await engine.dispose()

    async def on_mock() -> None:
        session = AsyncMock(spec=AsyncSession)
        session.add = MagicMock()
        result = MagicMock()
        result.one.return_value = item(id=1, name="Ana")
        session.scalars.return_value = result
        session.add(item(name="Ana"))
        await session.commit()
        found = (await session.scalars(query)).one()
        assert "Ana" == found.name
        session.commit.assert_awaited_once()

    return {FAKE: on_fake, SQLITE: on_sqlite, MOCK: on_mock}


def time_orm_tests(runs: int, repeats: int) -> dict[str, float]:
    """Milliseconds per test for each way, best of ``repeats`` batches of ``runs`` tests."""

    async def batch(test: Callable[[], Awaitable[None]]) -> float:
        await test()  # warm up: the first run compiles and caches the statements
        best = float("inf")
        for _ in range(repeats):
            start = time.process_time()
            for _ in range(runs):
                await test()
            best = min(best, (time.process_time() - start) / runs * 1e3)
        return best

    return {name: asyncio.run(batch(test)) for name, test in _tests().items()}
