"""The two sides of every psycopg contract scenario: real psycopg on PostgreSQL, and asyncfakes.psycopg.

A scenario is written once against a :class:`Side` and runs twice (ids ``[fake]`` and ``[real]``).
It scripts the fake with what the server answers (``if db.fake: ...``), runs the same code on
both, and asserts only what user code can observe: rows, ``rowcount``, ``statusmessage``,
``description``, ``info.transaction_status``, exception classes, SQLSTATEs and messages.
``db.setup(sql)`` prepares the real database (a fresh one per test) and does nothing on the fake.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from asyncfakes.psycopg import FakeAsyncConnection

SIDES = [pytest.param("fake", id="fake"), pytest.param("real", id="real", marks=pytest.mark.real)]


class Side:
    """One side of a scenario: ``conn`` is a real ``psycopg.AsyncConnection`` or a fake one."""

    def __init__(self, kind: str, dsn: str | None) -> None:
        self.kind = kind
        self.dsn = dsn
        self.fake: FakeAsyncConnection | None = FakeAsyncConnection() if kind == "fake" else None
        self.conn: Any = self.fake
        self._opened: list[Any] = []

    @property
    def is_real(self) -> bool:
        """Whether this side talks to a real server."""
        return self.fake is None

    async def connect(self, **kwargs: Any) -> Any:
        """Another connection of this side (a fake sharing the main fake's script)."""
        if self.is_real:
            import psycopg

            made = await psycopg.AsyncConnection.connect(self.dsn or "", **kwargs)
            self._opened.append(made)
            return made
        return await FakeAsyncConnection.connect(**kwargs)

    async def setup(self, *statements: str) -> None:
        """Run ``statements`` on the real database (autocommit); the fake needs only scripts."""
        if self.is_real:
            import psycopg

            async with await psycopg.AsyncConnection.connect(self.dsn or "", autocommit=True) as setup:
                for sql in statements:
                    await setup.execute(sql)  # pyright: ignore[reportCallIssue, reportArgumentType]

    async def close(self) -> None:
        """Close every connection this side opened."""
        for made in self._opened:
            with contextlib.suppress(Exception):
                await made.close()


def side_fixture(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """Which side, and its database (made here, outside the event loop: it runs its own)."""
    if request.param == "fake":
        return "fake", None
    dsn: str = request.getfixturevalue("pg_isolated_dsn")
    return "real", dsn


async def db_fixture(psycopg_side: tuple[str, str | None]) -> AsyncIterator[Side]:
    """The side a scenario runs on, its main connection open (autocommit off)."""
    side = Side(*psycopg_side)
    if side.is_real:
        side.conn = await side.connect()
    try:
        yield side
    finally:
        await side.close()


psycopg_side = pytest.fixture(params=SIDES)(side_fixture)
db = pytest.fixture(db_fixture)


@pytest.fixture
def anyio_backend() -> str:
    """psycopg's async connection runs on asyncio; the fake's trio behaviour is unit-tested."""
    return "asyncio"


def error_of(error: BaseException) -> tuple[str, str | None, str]:
    """What user code sees of an error: its class name, its SQLSTATE and its message."""
    return type(error).__name__, getattr(error, "sqlstate", None), str(error)


async def caught(awaitable: Any) -> tuple[str, str | None, str]:
    """Await ``awaitable`` and return :func:`error_of` what it raised (fails if it returned)."""
    try:
        value = await awaitable
    except Exception as error:
        return error_of(error)
    pytest.fail(f"expected an error, got {value!r}")


def status(conn: Any) -> str:
    """The connection's transaction status, by name."""
    return str(conn.info.transaction_status.name)


def make_pool(side: Side, **options: Any) -> Any:
    """A pool of that side named 'p' (open=False): psycopg_pool's real one, or the fake."""
    if side.is_real:
        from psycopg_pool import AsyncConnectionPool

        return AsyncConnectionPool(side.dsn or "", name="p", open=False, **options)
    from asyncfakes.psycopg import FakeAsyncConnectionPool

    return FakeAsyncConnectionPool(name="p", open=False, **options)


def make_null_pool(side: Side, **options: Any) -> Any:
    """A null pool of that side named 'p' (open=False): psycopg_pool's AsyncNullConnectionPool, or the fake."""
    if side.is_real:
        from psycopg_pool import AsyncNullConnectionPool

        return AsyncNullConnectionPool(side.dsn or "", name="p", open=False, **options)
    from asyncfakes.psycopg import FakeAsyncNullConnectionPool

    return FakeAsyncNullConnectionPool(name="p", open=False, **options)


STATS = (
    "pool_min",
    "pool_max",
    "pool_size",
    "pool_available",
    "requests_waiting",
    "requests_num",
    "requests_queued",
    "requests_errors",
    "connections_num",
    "returns_bad",
)


def stats(pool: Any) -> dict[str, int]:
    """The pool's ``get_stats()`` the fake reproduces (not the timings): absent counters are 0."""
    found: dict[str, int] = pool.get_stats()
    return {key: found.get(key, 0) for key in STATS}


async def until_waiting(pool: Any, callers: int = 1) -> None:
    """Let the other tasks run until ``callers`` wait for a connection (no fixed sleep: load-proof)."""
    with anyio.fail_after(10):
        while pool.get_stats().get("requests_waiting", 0) < callers:
            await anyio.sleep(0.001)
