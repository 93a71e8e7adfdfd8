"""FakePoolAcquireContext: what ``pool.acquire()`` returns, for ``async with`` or ``await``."""

from __future__ import annotations

from collections.abc import Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._errors import interface_error

if TYPE_CHECKING:
    from ._connection import FakeConnection
    from ._pool import FakePool

__all__ = ["FakePoolAcquireContext"]


class FakePoolAcquireContext:
    """What ``pool.acquire()`` returns: use it with ``async with``, or ``await`` it."""

    def __init__(self, pool: FakePool, timeout: float | None) -> None:
        self._pool = pool
        self._timeout = timeout
        self._connection: FakeConnection | None = None
        self._done = False

    async def __aenter__(self) -> FakeConnection:
        if self._connection is not None or self._done:
            msg = "a connection is already acquired"
            raise interface_error(msg)
        self._connection = await self._pool._acquire(self._timeout)
        return self._connection

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done = True
        connection, self._connection = self._connection, None
        assert connection is not None
        await self._pool.release(connection)

    def __await__(self) -> Generator[Any, None, FakeConnection]:
        return self._pool._acquire(self._timeout).__await__()
