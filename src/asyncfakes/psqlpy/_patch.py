"""patch_psqlpy: psqlpy's ``connect``, ``connect_pool`` and ``ConnectionPool`` give fakes while active."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asyncfakes import DriverPatch

from ._connection import FakeConnection
from ._pool import FakeConnectionPool

__all__ = ["PsqlpyPatch", "patch_psqlpy"]


class PsqlpyPatch(DriverPatch[FakeConnection, FakeConnectionPool]):
    """Fakes for code that calls ``psqlpy.connect``, ``psqlpy.connect_pool`` or ``psqlpy.ConnectionPool``.

    While active, ``await psqlpy.connect(...)`` returns a new standalone :class:`FakeConnection`
    answering from and recording into ``connection`` (handed out in ``connections``), and
    ``psqlpy.connect_pool(...)`` and ``psqlpy.ConnectionPool(...)`` return ``pool``, a
    :class:`FakeConnectionPool` (script it on ``pool.script``), configured by
    :meth:`FakeConnectionPool.connect_pool` from the arguments (``pool.fail_creation(...)`` makes
    it fail).
    Every call is in ``calls``; on exit, or when the pytest test ends, ``verify()`` reports
    every fake's problems. ``isinstance(x, psqlpy.ConnectionPool)`` fails while it is patched.
    """

    driver = "psqlpy"

    def new_connection(self, share_with: FakeConnection | None, **options: Any) -> FakeConnection:
        """A psqlpy :class:`FakeConnection`."""
        return FakeConnection(strict=self.strict, ordered=self.ordered, share_with=share_with, **options)

    def new_pool(self) -> FakeConnectionPool:
        """A :class:`FakeConnectionPool`."""
        return FakeConnectionPool(strict=self.strict, ordered=self.ordered)

    def replacements(self) -> dict[str, Callable[..., Any]]:
        """``connect``, ``connect_pool`` and ``ConnectionPool``."""
        return {
            "connect": self._connect,
            "connect_pool": self._pool_for("connect_pool"),
            "ConnectionPool": self._pool_for("ConnectionPool"),
        }

    async def _connect(self, *args: Any, **kwargs: Any) -> FakeConnection:
        self.record("connect", args, kwargs)
        return self.hand_out()

    def _pool_for(self, name: str) -> Callable[..., FakeConnectionPool]:
        def make(*args: Any, **kwargs: Any) -> FakeConnectionPool:
            self.record(name, args, kwargs)
            return self.pool.connect_pool(*args, **kwargs)

        make.__name__ = make.__qualname__ = name
        return make


def patch_psqlpy(*, strict: bool = False, ordered: bool = False) -> PsqlpyPatch:
    """Return a patch of psqlpy's entry points ``connect``, ``connect_pool`` and ``ConnectionPool``.

    Use it as ``with patch_psqlpy() as db:`` (or ``async with``), as a decorator (sync or
    async), or through the ``psqlpy_patch`` pytest fixture. ``strict`` and ``ordered`` apply to
    every fake it hands out.
    """
    return PsqlpyPatch(strict=strict, ordered=ordered)
