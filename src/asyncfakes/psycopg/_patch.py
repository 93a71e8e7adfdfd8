"""patch_psycopg: ``AsyncConnection.connect`` and psycopg_pool's two async pool classes give fakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from asyncfakes import DriverPatch

from ._connection import FakeAsyncConnection
from ._null_pool import FakeAsyncNullConnectionPool
from ._pool import FakeAsyncConnectionPool

__all__ = ["PsycopgPatch", "patch_psycopg"]


_STAND_IN_DOC = "psycopg_pool.{} while patch_psycopg() is active: makes the fake pool."


class _PoolStandIn(type):
    # The class standing in for psycopg_pool.AsyncConnectionPool (or AsyncNullConnectionPool) while
    # patched: calling it makes the fake pool; it can be subscripted
    # (AsyncConnectionPool[AsyncConnection[DictRow]]) and used in isinstance(), which holds for the
    # fake pools of that class (the null pool is an AsyncConnectionPool, as in psycopg_pool).
    _make: Callable[..., FakeAsyncConnectionPool]
    _fake: type[FakeAsyncConnectionPool]

    def __call__(cls, *args: Any, **kwargs: Any) -> FakeAsyncConnectionPool:
        return cls._make(*args, **kwargs)

    def __getitem__(cls, item: object) -> _PoolStandIn:
        return cls

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, cls._fake)


class PsycopgPatch(DriverPatch[FakeAsyncConnection, FakeAsyncConnectionPool]):
    """Fakes for code that calls ``psycopg.AsyncConnection.connect`` or makes a psycopg_pool pool.

    While active, ``await psycopg.AsyncConnection.connect(...)`` returns a new
    :class:`FakeAsyncConnection` answering from and recording into ``connection`` (handed out in
    ``connections``), configured from the arguments as psycopg would (``autocommit``,
    ``row_factory``, ``cursor_factory``, ``prepare_threshold``; ``conninfo`` and the other
    keywords kept in ``conninfo`` and ``conninfo_kwargs``); :meth:`fail_connection` makes attempts
    fail. ``psycopg_pool.AsyncConnectionPool(...)`` returns ``pool``, a
    :class:`FakeAsyncConnectionPool` (script its connections on ``pool.script``) configured from
    the arguments by :meth:`FakeAsyncConnectionPool.construct`, and
    ``psycopg_pool.AsyncNullConnectionPool(...)`` returns ``null_pool``, a
    :class:`FakeAsyncNullConnectionPool` made the same way. Every call is in ``calls``; on exit, or
    when the pytest test ends, ``verify()`` reports every fake's problems.

    ``connect`` is replaced on the class itself, so ``from psycopg import AsyncConnection`` and
    psycopg's re-exports see the fake, as do subclasses that do not override ``connect``;
    ``AsyncConnectionPool`` and ``AsyncNullConnectionPool`` are replaced in every module that
    holds them, by stand-in classes.
    """

    driver = "psycopg"

    def __init__(self, *, strict: bool = False, ordered: bool = False) -> None:
        self._connect_errors: list[BaseException] = []
        super().__init__(strict=strict, ordered=ordered)

    def new_connection(self, share_with: FakeAsyncConnection | None, **options: Any) -> FakeAsyncConnection:
        """A :class:`FakeAsyncConnection`."""
        return FakeAsyncConnection(strict=self.strict, ordered=self.ordered, share_with=share_with, **options)

    def new_pool(self) -> FakeAsyncConnectionPool:
        """A :class:`FakeAsyncConnectionPool`, closed until the code under test constructs it."""
        return FakeAsyncConnectionPool(open=False, strict=self.strict, ordered=self.ordered)

    def reset(self) -> None:
        """Fresh fakes, no calls, no scripted connection failures."""
        super().reset()
        self._connect_errors = []
        self.null_pool: FakeAsyncNullConnectionPool = FakeAsyncNullConnectionPool(
            open=False, strict=self.strict, ordered=self.ordered
        )
        """The pool the code under test gets from ``AsyncNullConnectionPool(...)``."""
        self.adopt(self.null_pool)

    def fail_connection(self, *errors: BaseException) -> None:
        """Make the next ``AsyncConnection.connect()`` calls raise ``errors``, one each.

        As psycopg raises ``psycopg.OperationalError`` when the server cannot be reached::

            db.fail_connection(psycopg.OperationalError("connection failed: Connection refused"))
        """
        given = cast("tuple[object, ...]", errors)  # checked for callers without a type checker
        wrong = [error for error in given if not isinstance(error, BaseException)]
        if wrong:
            msg = f"fail_connection() takes exception instances, got {wrong[0]!r}."
            raise TypeError(msg)
        self._connect_errors += errors

    def replacements(self) -> dict[str, Callable[..., Any]]:
        """``AsyncConnection.connect``, and psycopg_pool's two async pool classes."""
        null_pool = _stand_in("AsyncNullConnectionPool", self._make_null_pool, FakeAsyncNullConnectionPool)
        return {
            "AsyncConnection.connect": self._connect,
            "psycopg_pool:AsyncConnectionPool": _stand_in("AsyncConnectionPool", self._make_pool),
            "psycopg_pool:AsyncNullConnectionPool": null_pool,
        }

    async def _connect(self, *args: Any, **kwargs: Any) -> FakeAsyncConnection:
        self.record("AsyncConnection.connect", args, kwargs)
        if self._connect_errors:
            raise self._connect_errors.pop(0).with_traceback(None)
        connect: Callable[..., Any] = self.hand_out().connect
        conn: FakeAsyncConnection = await connect(*args, **kwargs)
        return conn

    def problems(self) -> list[str]:
        """Every fake's problems, and connection failures scripted but never raised."""
        found = super().problems()
        found += [f"null pool: {text}" for text in self.null_pool.problems()]
        if self._connect_errors:
            found.append(
                f"{len(self._connect_errors)} failure(s) scripted with fail_connection() never happened: "
                "the code under test connected fewer times than the test expected."
            )
        return found

    def _make_pool(self, *args: Any, **kwargs: Any) -> FakeAsyncConnectionPool:
        self.record("AsyncConnectionPool", args, kwargs)
        return self.pool.construct(*args, **kwargs)

    def _make_null_pool(self, *args: Any, **kwargs: Any) -> FakeAsyncNullConnectionPool:
        self.record("AsyncNullConnectionPool", args, kwargs)
        return self.null_pool.construct(*args, **kwargs)


def _stand_in(
    name: str,
    make: Callable[..., FakeAsyncConnectionPool],
    fake: type[FakeAsyncConnectionPool] = FakeAsyncConnectionPool,
) -> _PoolStandIn:
    namespace = {"_make": staticmethod(make), "_fake": fake, "__module__": "psycopg_pool"}
    return _PoolStandIn(name, (), {**namespace, "__doc__": _STAND_IN_DOC.format(name)})


def patch_psycopg(*, strict: bool = False, ordered: bool = False) -> PsycopgPatch:
    """Return a patch of ``psycopg.AsyncConnection.connect`` and psycopg_pool's two async pool classes.

    Use it as ``with patch_psycopg() as db:`` (or ``async with``), as a decorator (sync or
    async), or through the ``psycopg_patch`` pytest fixture. ``strict`` and ``ordered`` apply to
    every fake it hands out.
    """
    return PsycopgPatch(strict=strict, ordered=ordered)
