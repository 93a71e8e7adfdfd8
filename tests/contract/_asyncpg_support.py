"""The two sides of every asyncpg contract scenario: real asyncpg on PostgreSQL, and the fake.

A scenario is written once against a :class:`Target` and runs twice (ids ``[fake]`` and
``[real]``). It scripts the fake with what the server answers (``if db.fake: ...``), runs the
same code on both, and asserts only what user code can observe. ``db.setup(sql)`` prepares the
real server (temporary tables) and does nothing on the fake.

The real side needs asyncpg and a PostgreSQL server (the ``pg_dsn`` fixture of conftest.py);
without them it is skipped with a message saying how to run it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from asyncfakes.asyncpg import FakeConnection, FakePool

SIDES = [pytest.param("fake", id="fake"), pytest.param("real", id="real", marks=pytest.mark.real)]


def _asyncpg() -> Any:
    return pytest.importorskip(
        "asyncpg", reason="the real side of the asyncpg contract needs asyncpg: pip install -e . --group test"
    )


class Target:
    """One side of a scenario: ``conn`` is a real asyncpg connection, or a :class:`FakeConnection`."""

    def __init__(self, kind: str, dsn: str | None) -> None:
        self.kind = kind
        self.dsn = dsn
        self.fake: FakeConnection | None = FakeConnection() if kind == "fake" else None
        self.conn: Any = self.fake
        self._opened: list[Any] = []

    @property
    def is_real(self) -> bool:
        """Whether this side talks to a real server."""
        return self.fake is None

    async def open(self) -> None:
        """Connect the main connection (real side only)."""
        if self.is_real:
            self.conn = await self.connect()

    async def connect(self) -> Any:
        """Another connection to the same database (a new FakeConnection on the fake side)."""
        if self.is_real:
            conn = await _asyncpg().connect(self.dsn)
        else:
            conn = FakeConnection()
        self._opened.append(conn)
        return conn

    async def setup(self, *statements: str) -> None:
        """Run ``statements`` on the real server; the fake needs no data, only scripts."""
        if self.is_real:
            for sql in statements:
                await self.conn.execute(sql)

    async def close(self) -> None:
        """Close every connection this target opened."""
        for conn in self._opened:
            with contextlib.suppress(Exception):
                await conn.close()


class PoolTarget:
    """One side of a pool scenario: ``create_pool`` makes a real asyncpg pool, or the fake's."""

    def __init__(self, kind: str, dsn: str | None) -> None:
        self.kind = kind
        self.dsn = dsn
        self.fake: FakePool | None = FakePool() if kind == "fake" else None
        self._pools: list[Any] = []

    def create_pool(self, **kwargs: Any) -> Any:
        """``asyncpg.create_pool(dsn, **kwargs)`` on this side; not yet awaited."""
        if self.fake is None:
            pool = _asyncpg().create_pool(self.dsn, **kwargs)
        else:
            pool = self.fake.create_pool(self.dsn, **kwargs)
        self._pools.append(pool)
        return pool

    async def close(self) -> None:
        """Terminate every pool this target made."""
        for pool in self._pools:
            pool.terminate()


def _dsn(request: pytest.FixtureRequest) -> str | None:
    if request.param == "fake":
        return None
    _asyncpg()
    dsn: str = request.getfixturevalue("pg_dsn")
    return dsn


async def db_fixture(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    """The connection side a scenario runs on."""
    target = Target(request.param, _dsn(request))
    await target.open()
    try:
        yield target
    finally:
        await target.close()


async def pools_fixture(request: pytest.FixtureRequest) -> AsyncIterator[PoolTarget]:
    """The pool side a scenario runs on."""
    target = PoolTarget(request.param, _dsn(request))
    try:
        yield target
    finally:
        await target.close()


db = pytest.fixture(params=SIDES)(db_fixture)
pools = pytest.fixture(params=SIDES)(pools_fixture)


@pytest.fixture
def anyio_backend() -> str:
    """asyncpg runs on asyncio only, so the contract runs both sides there (the fake's trio
    behaviour is covered by the unit tests)."""
    return "asyncio"


def error_name(error: BaseException) -> str:
    """The class name user code would see."""
    return type(error).__name__
