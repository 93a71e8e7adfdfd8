"""patch_asyncpg: ``asyncpg.connect`` and ``asyncpg.create_pool`` hand out fakes while active."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asyncfakes import DriverPatch

from ._connection import FakeConnection
from ._pool import FakePool

__all__ = ["AsyncpgPatch", "patch_asyncpg"]


class AsyncpgPatch(DriverPatch):
    """Fakes for code that calls ``asyncpg.connect`` or ``asyncpg.create_pool`` itself.

    While active, ``await asyncpg.connect(...)`` returns a new :class:`FakeConnection` that
    answers from and records into ``connection`` (script it there, before or after the code
    connects; ``connection.connect.raises_once(...)`` makes an attempt fail), and
    ``asyncpg.create_pool(...)`` configures and returns ``pool``, as
    :meth:`FakePool.create_pool` does. Every call is in ``calls``; on exit, or when the pytest
    test ends, ``verify()`` reports the problems of every connection and of the pool.
    """

    driver = "asyncpg"

    def __init__(self, *, strict: bool = False, ordered: bool = False) -> None:
        super().__init__()
        self._strict, self._ordered = strict, ordered
        self.reset()

    def reset(self) -> None:
        """Fresh fakes: a new ``connection`` script, no connections handed out, a new ``pool``."""
        super().reset()
        self.connection: FakeConnection = FakeConnection(strict=self._strict, ordered=self._ordered)
        """The script and history every connection from ``asyncpg.connect()`` shares."""
        self.connections: list[FakeConnection] = []
        """Every connection ``asyncpg.connect()`` handed out, in order."""
        self.pool: FakePool = FakePool(strict=self._strict, ordered=self._ordered)
        """The pool ``asyncpg.create_pool()`` returns."""
        self.adopt(self.connection)
        self.adopt(self.pool)

    def replacements(self) -> dict[str, Callable[..., Any]]:
        """``connect`` and ``create_pool``."""
        return {"connect": self._connect, "create_pool": self._create_pool}

    async def _connect(self, *args: Any, **kwargs: Any) -> FakeConnection:
        self.record("connect", args, kwargs)
        # Recorded on the shared script too, where a failure can be scripted:
        # db.connection.connect.raises_once(invalid_password("app")).
        await self.connection.connect(*args, **kwargs)
        conn = FakeConnection(
            strict=self._strict, share_with=self.connection, record_class=kwargs.get("record_class")
        )
        self.adopt(conn)
        self.connections.append(conn)
        return conn

    def _create_pool(self, *args: Any, **kwargs: Any) -> FakePool:
        self.record("create_pool", args, kwargs)
        return self.pool.create_pool(*args, **kwargs)

    def problems(self) -> list[str]:
        """The problems of every connection from ``connect()`` and of the pool."""
        found = super().problems()
        shared = self.connection.problems()
        found += shared
        for number, conn in enumerate(self.connections):
            found += [f"connection #{number}: {text}" for text in conn.problems() if text not in shared]
        found += [f"pool: {text}" for text in self.pool.problems()]
        return found


def patch_asyncpg(*, strict: bool = False, ordered: bool = False) -> AsyncpgPatch:
    """Return a patch of asyncpg's entry points ``connect`` and ``create_pool``.

    Use it as ``with patch_asyncpg() as db:`` (or ``async with``), as a decorator (sync or
    async), or through the ``asyncpg_patch`` pytest fixture. ``strict`` and ``ordered`` apply to
    every fake it hands out.
    """
    return AsyncpgPatch(strict=strict, ordered=ordered)
