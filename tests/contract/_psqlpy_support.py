"""The two sides of every psqlpy contract scenario: real psqlpy on PostgreSQL, and asyncfakes.psqlpy.

A scenario is written once against a :class:`Side` and runs twice (ids ``[fake]`` and
``[real]``). It scripts the fake with what the server answers (``if db.fake: ...``), runs the
same code on both, and asserts only what user code can observe: values, result shapes,
exception classes and messages. ``db.setup(sql)`` prepares the real database (a fresh one per
test, from ``pg_isolated_dsn``) and does nothing on the fake.

The real side needs psqlpy and a PostgreSQL server (the ``pg_dsn`` fixture of conftest.py);
without them it is skipped with a message saying how to run it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from asyncfakes.psqlpy import FakeConnection, FakeConnectionPool

SIDES = [pytest.param("fake", id="fake"), pytest.param("real", id="real", marks=pytest.mark.real)]


def psqlpy() -> Any:
    """The psqlpy module, or skip the real side saying how to get it."""
    return pytest.importorskip(
        "psqlpy", reason="the real side of the psqlpy contract needs psqlpy: pip install -e . --group test"
    )


class Side:
    """One side of a scenario: ``conn`` is a real psqlpy connection, or a :class:`FakeConnection`.

    ``pool`` makes pools of that side: real ``psqlpy.ConnectionPool`` objects on the test's own
    database, or :class:`FakeConnectionPool` objects (``fake_pools`` lists them).
    """

    def __init__(self, kind: str, dsn: str | None) -> None:
        self.kind = kind
        self.dsn = dsn
        self.fake: FakeConnection | None = FakeConnection() if kind == "fake" else None
        self.conn: Any = self.fake
        self.fake_pools: list[FakeConnectionPool] = []
        self._pools: list[Any] = []

    @property
    def is_real(self) -> bool:
        """Whether this side talks to a real server."""
        return self.fake is None

    def pool(self, max_db_pool_size: int | None = 2) -> Any:
        """A new pool of this side; real ones are closed at the end of the test."""
        if self.is_real:
            made = psqlpy().ConnectionPool(dsn=self.dsn, max_db_pool_size=max_db_pool_size)
        else:
            made = FakeConnectionPool(max_db_pool_size)
            self.fake_pools.append(made)
        self._pools.append(made)
        return made

    async def open(self) -> None:
        """Connect the main connection (real side only)."""
        if self.is_real:
            self.conn = await self.pool(4).connection()

    async def other(self) -> Any:
        """Another connection to the same database (on the fake side, one sharing the script)."""
        if self.is_real:
            return await self._pools[0].connection()
        return FakeConnection(share_with=self.fake)

    async def setup(self, *statements: str) -> None:
        """Run ``statements`` on the real database; the fake needs no data, only scripts."""
        if self.is_real:
            setup = await self._pools[0].connection()
            for sql in statements:
                await setup.execute_batch(sql)
            setup.close()

    def close(self) -> None:
        """Close every pool this side made."""
        for made in self._pools:
            with contextlib.suppress(Exception):
                made.close()


def side_fixture(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """Which side, and its database (made here, outside the event loop: it runs its own)."""
    if request.param == "fake":
        return "fake", None
    psqlpy()
    dsn: str = request.getfixturevalue("pg_isolated_dsn")
    return "real", dsn


async def db_fixture(psqlpy_side: tuple[str, str | None]) -> AsyncIterator[Side]:
    """The side a scenario runs on."""
    side = Side(*psqlpy_side)
    await side.open()
    try:
        yield side
    finally:
        side.close()


psqlpy_side = pytest.fixture(params=SIDES)(side_fixture)
db = pytest.fixture(db_fixture)


@pytest.fixture
def anyio_backend() -> str:
    """psqlpy runs on asyncio only (its futures are asyncio's), so the contract runs both sides
    there; the fake's trio behaviour is covered by the unit tests."""
    return "asyncio"


def error_of(error: BaseException) -> tuple[str, str]:
    """What user code sees of an error: its class name and its message."""
    return type(error).__name__, str(error)


async def caught(awaitable: Any) -> tuple[str, str]:
    """Await ``awaitable`` and return :func:`error_of` what it raised (fails if it returned)."""
    try:
        value = await awaitable
    except Exception as error:
        return error_of(error)
    pytest.fail(f"expected an error, got {value!r}")
