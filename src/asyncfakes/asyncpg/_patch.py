"""patch_asyncpg: ``asyncpg.connect`` and ``asyncpg.create_pool`` hand out fakes while active."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asyncfakes import DriverPatch

from ._connection import FakeConnection
from ._pool import FakePool

__all__ = ["AsyncpgPatch", "patch_asyncpg"]


class AsyncpgPatch(DriverPatch[FakeConnection, FakePool]):
    """Fakes for code that calls ``asyncpg.connect`` or ``asyncpg.create_pool`` itself.

    While active, ``await asyncpg.connect(...)`` returns a new :class:`FakeConnection` that
    answers from and records into ``connection`` (script it there, before or after the code
    connects; ``connection.connect.raises_once(...)`` makes an attempt fail), and
    ``asyncpg.create_pool(...)`` configures and returns ``pool``, as
    :meth:`FakePool.create_pool` does. Every call is in ``calls``; on exit, or when the pytest
    test ends, ``verify()`` reports the problems of every connection and of the pool.
    """

    driver = "asyncpg"

    def new_connection(self, share_with: FakeConnection | None, **options: Any) -> FakeConnection:
        """An asyncpg :class:`FakeConnection` (``options``: ``record_class``)."""
        return FakeConnection(strict=self.strict, ordered=self.ordered, share_with=share_with, **options)

    def new_pool(self) -> FakePool:
        """A :class:`FakePool`."""
        return FakePool(strict=self.strict, ordered=self.ordered)

    def replacements(self) -> dict[str, Callable[..., Any]]:
        """``connect`` and ``create_pool``."""
        return {"connect": self._connect, "create_pool": self._create_pool}

    async def _connect(self, *args: Any, **kwargs: Any) -> FakeConnection:
        self.record("connect", args, kwargs)
        # Recorded on the shared script too, where a failure can be scripted:
        # db.connection.connect.raises_once(invalid_password("app")).
        await self.connection.connect(*args, **kwargs)
        return self.hand_out(record_class=kwargs.get("record_class"))

    def _create_pool(self, *args: Any, **kwargs: Any) -> FakePool:
        self.record("create_pool", args, kwargs)
        return self.pool.create_pool(*args, **kwargs)


def patch_asyncpg(*, strict: bool = False, ordered: bool = False) -> AsyncpgPatch:
    """Return a patch of asyncpg's entry points ``connect`` and ``create_pool``.

    Use it as ``with patch_asyncpg() as db:`` (or ``async with``), as a decorator (sync or
    async), or through the ``asyncpg_patch`` pytest fixture. ``strict`` and ``ordered`` apply to
    every fake it hands out.
    """
    return AsyncpgPatch(strict=strict, ordered=ordered)
