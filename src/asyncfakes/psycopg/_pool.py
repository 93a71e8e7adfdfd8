"""FakeAsyncConnectionPool: psycopg_pool's AsyncConnectionPool over fake connections; leaks in verify()."""

from __future__ import annotations

import contextlib
from collections import Counter, deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from psycopg.pq import TransactionStatus
from psycopg_pool import PoolClosed

from asyncfakes import CallLog

from ._connection import FakeAsyncConnection
from ._pool_parts import PoolVerifiable, Waiter, WaitingLine, checked_sizes, warn_open_in_constructor

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FakeAsyncConnectionPool"]

Callback = Callable[[FakeAsyncConnection], Awaitable[None]]
_numbers = iter(range(1, 1 << 62))


class FakeAsyncConnectionPool(WaitingLine, PoolVerifiable):
    """A fake ``psycopg_pool.AsyncConnectionPool`` handing out :class:`FakeAsyncConnection` objects.

    ``async with pool.connection() as conn`` (commit or rollback, then return), ``getconn`` /
    ``putconn``, at most ``max_size`` connections out, callers waiting first come first served
    until ``timeout`` (then ``PoolTimeout``), ``PoolClosed`` before ``open()`` and after
    ``close()``, ``get_stats()``. A connection returned inside a transaction is rolled back, as
    psycopg_pool does; ``verify()`` reports that, connections never returned, and every
    connection's own problems.

    By default all connections answer from one script and record into one history: script
    ``pool.script`` and assert on ``pool.calls``. With ``shared=False`` each connection has its
    own; ``pool.add_connection()`` gives the fake a later ``getconn`` hands out, to script it first.
    """

    driver_class: ClassVar[str] = "AsyncConnectionPool"
    """The psycopg_pool class this fake stands for, as its messages name it."""

    def __init__(
        self,
        conninfo: str = "",
        *,
        kwargs: dict[str, Any] | None = None,
        min_size: int = 4,
        max_size: int | None = None,
        open: bool | None = None,  # psycopg_pool's own name
        configure: Callback | None = None,
        check: Callback | None = None,
        reset: Callback | None = None,
        name: str | None = None,
        timeout: float = 30.0,
        max_waiting: int = 0,
        shared: bool = True,
        strict: bool = False,
        ordered: bool = False,
        **options: Any,
    ) -> None:
        self._strict, self._ordered = strict, ordered
        self._script = FakeAsyncConnection(strict=strict, ordered=ordered) if shared else None
        if self._script is not None:
            self.adopt(self._script)
        self._queued: deque[FakeAsyncConnection] = deque()
        self._made: list[FakeAsyncConnection] = []
        self._idle: deque[FakeAsyncConnection] = deque()
        self._out: list[FakeAsyncConnection] = []
        self._waiting: deque[Waiter] = deque()
        self._stats: Counter[str] = Counter()
        self._notes: list[str] = []
        self._opened = False
        self._closed = True
        self._constructed = False
        self.construct(
            conninfo,
            kwargs=kwargs,
            min_size=min_size,
            max_size=max_size,
            open=open,
            configure=configure,
            check=check,
            reset=reset,
            name=name,
            timeout=timeout,
            max_waiting=max_waiting,
            **options,
        )
        self._constructed = False  # the constructor's own configuration: construct() may follow once

    def construct(
        self,
        conninfo: str = "",
        *,
        kwargs: dict[str, Any] | None = None,
        min_size: int = 4,
        max_size: int | None = None,
        open: bool | None = None,
        configure: Callback | None = None,
        check: Callback | None = None,
        reset: Callback | None = None,
        name: str | None = None,
        timeout: float = 30.0,
        max_waiting: int = 0,
        **options: Any,
    ) -> Self:
        """Configure this pool from ``psycopg_pool.AsyncConnectionPool(...)``'s arguments, once.

        What ``patch_psycopg()`` calls for the code's ``AsyncConnectionPool(...)``, so the code
        under test makes "its" pool while the test keeps the script; opened as the arguments say.
        """
        if self._constructed or self._opened:
            fake = type(self).__name__
            msg = (
                f"{fake}.construct(): the pool {self.name!r} was already "
                f"{'constructed' if self._constructed else 'opened'}; one fake pool stands for one "
                f"{self.driver_class}(...). For several pools, make a {fake} for each and "
                "hand them to the code under test."
            )
            raise RuntimeError(msg)
        self._constructed = True
        self._min_size, self._max_size = self._checked_sizes(min_size, max_size)
        self.conninfo = conninfo
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.name: str = name or f"pool-{next(_numbers)}"
        self.timeout = timeout
        self.max_waiting = max_waiting
        self.options = options
        self._configure, self._check, self._reset = configure, check, reset
        if open:
            warn_open_in_constructor(self.driver_class, stacklevel=4)
        self._open_implicit = open is None
        if open or open is None:
            self._do_open()
        return self

    def _checked_sizes(self, min_size: int, max_size: int | None) -> tuple[int, int]:
        return checked_sizes(min_size, max_size)

    # --- the pool's life --------------------------------------------------------------------------
    @property
    def min_size(self) -> int:
        """The connections the pool keeps."""
        return self._min_size

    @property
    def max_size(self) -> int:
        """The most connections the pool hands out at once."""
        return self._max_size

    @property
    def closed(self) -> bool:
        """Whether the pool is closed (or not open yet)."""
        return self._closed

    def _do_open(self) -> None:
        if self._closed and self._opened:
            msg = "pool has already been opened/closed and cannot be reused"
            raise PoolClosed(msg)
        self._opened, self._closed = True, False

    async def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        """Open the pool (again is fine; after close() it is ``PoolClosed``)."""
        if not self._closed:
            return
        self._do_open()

    async def wait(self, timeout: float = 30.0) -> None:
        """Wait for the pool to be full: the fake's always is."""

    async def close(self, timeout: float = 5.0) -> None:
        """Close the pool: waiting and later callers get ``PoolClosed``; idle connections close."""
        if self._closed:
            return
        self._closed = True
        while self._idle:
            await self._idle.popleft().close()
        while self._waiting:
            waiter = self._waiting.popleft()
            waiter.error = PoolClosed(f"the pool {self.name!r} is closed")
            waiter.signal.set()

    async def __aenter__(self) -> Self:
        self._open_implicit = False
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def resize(self, min_size: int, max_size: int | None = None) -> None:
        """Change the sizes; callers waiting get connections the larger pool can now make."""
        self._min_size, self._max_size = min_size, min_size if max_size is None else max_size
        while len(self._out) < self._max_size and (waiter := self._next_waiter()) is not None:
            self._serve(waiter, await self._take())

    async def check(self) -> None:
        """Close the idle connections that are closed or broken (they are replaced when needed)."""
        self._idle = deque(conn for conn in self._idle if not conn.closed)

    def get_stats(self) -> dict[str, int]:
        """Counters and measures, under psycopg_pool's names (``pool_size``, ``requests_waiting``...)."""
        found = dict(self._stats)
        found.update(
            pool_min=self._min_size,
            pool_max=self._max_size,
            pool_size=max(self._min_size, len(self._out) + len(self._idle)),
            pool_available=max(self._min_size - len(self._out), len(self._idle)),
            requests_waiting=len(self._waiting),
        )
        return found

    def pop_stats(self) -> dict[str, int]:
        """Like :meth:`get_stats`, then reset the counters."""
        found = self.get_stats()
        self._stats.clear()
        return found

    # --- lending ------------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def connection(self, timeout: float | None = None) -> AsyncGenerator[FakeAsyncConnection, None]:
        """Lend a connection for the block: commit on success, roll back on error, then return it."""
        conn = await self.getconn(timeout)
        try:
            async with conn:
                yield conn
        finally:
            await self.putconn(conn)

    async def getconn(self, timeout: float | None = None) -> FakeAsyncConnection:
        """Take a connection, waiting up to ``timeout`` (the pool's by default) for one to come back."""
        if timeout is None:
            timeout = self.timeout
        self._stats["requests_num"] += 1
        self._check_open_getconn()
        if self._idle or not 0 < self._max_size <= len(self._out):  # max_size 0: no limit (null pools)
            conn = await self._take()
        else:
            conn = await self._wait_for_one(timeout)
        if self._check is not None:
            await self._check(conn)
        conn._pool = self
        return conn

    def _check_open_getconn(self) -> None:
        if self._closed:
            state = "already closed" if self._opened else "not open yet"
            msg = f"the pool {self.name!r} is {state}"
            raise PoolClosed(msg)
        if self._open_implicit:
            self._open_implicit = False
            warn_open_in_constructor(self.driver_class, stacklevel=4)

    async def _take(self) -> FakeAsyncConnection:
        if self._idle:
            conn = self._idle.popleft()
        else:
            conn = await self._connect(self._queued.popleft() if self._queued else self._new())
        self._out.append(conn)
        return conn

    async def _connect(self, conn: FakeAsyncConnection) -> FakeAsyncConnection:
        self._made.append(conn)
        self._stats["connections_num"] += 1
        if self._configure is not None:
            await self._configure(conn)
        return conn

    async def putconn(self, conn: FakeAsyncConnection) -> None:
        """Give a connection back: rolled back if in a transaction, closed if the pool is closed."""
        self._own(conn)
        if self._closed:
            await conn.close()
            return
        status = conn.info.transaction_status
        if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            self._notes.append(
                f"connection #{self._made.index(conn)} was returned to the pool in a transaction "
                f"({status.name}): psycopg_pool rolled it back, discarding its work. commit() "
                "first, or use `async with pool.connection() as conn`."
            )
            try:
                await conn.rollback()
            except Exception:  # psycopg_pool discards a connection it cannot roll back
                await conn.close()
        if self._reset is not None and not conn.closed:
            await self._reset(conn)
        if conn.closed:
            self._stats["returns_bad"] += 1
            if (waiter := self._next_waiter()) is not None:  # psycopg_pool connects a new one for it
                self._serve(waiter, await self._take())
            return
        waiter = self._next_waiter()
        if waiter is not None:
            self._serve(waiter, conn)
            self._out.append(conn)
        else:
            await self._park(conn)

    def _own(self, conn: FakeAsyncConnection) -> None:
        if conn._pool is not self:
            source = "it doesn't come from any pool" if conn._pool is None else "it comes from another pool"
            msg = f"can't return connection to pool {self.name!r}, {source}: {conn}"
            raise ValueError(msg)
        conn._pool = None
        self._out.remove(conn)

    async def _park(self, conn: FakeAsyncConnection) -> None:
        self._idle.append(conn)  # no caller waits: the connection waits in the pool

    # --- scripting and assertions -------------------------------------------------------------------
    def _new(self) -> FakeAsyncConnection:
        conn = FakeAsyncConnection(strict=self._strict, ordered=self._ordered, share_with=self._script)
        self.adopt(conn)
        conn._autocommit = bool(self.kwargs.get("autocommit", False))
        if self.kwargs.get("row_factory") is not None:
            conn.row_factory = self.kwargs["row_factory"]
        return conn

    def add_connection(self) -> FakeAsyncConnection:
        """Make the fake a later ``getconn`` hands out (in order), to script it first."""
        conn = self._new()
        self._queued.append(conn)
        return conn

    @property
    def script(self) -> FakeAsyncConnection:
        """The connection whose script and history every connection shares (``shared=True`` only)."""
        if self._script is None:
            msg = (
                "FakeAsyncConnectionPool(shared=False) has no shared script: each connection has its "
                "own. Script one with pool.add_connection() before the code takes it, and read "
                "pool.connections afterwards."
            )
            raise AttributeError(msg)
        return self._script

    @property
    def connections(self) -> tuple[FakeAsyncConnection, ...]:
        """Every connection the pool made, in order."""
        return tuple(self._made)

    @property
    def calls(self) -> CallLog:
        """Every call on the pool's connections: the shared history, or each connection's in turn."""
        if self._script is not None:
            return self._script.calls
        every = [call for conn in self._made for call in conn.calls]
        return CallLog(every, title="calls on the pool's connections")

    def problems(self) -> list[str]:
        """What :meth:`verify` reports."""
        shared = self._script.problems() if self._script is not None else []
        found = super().problems() + shared + self._notes
        for number, conn in enumerate(self._made):
            found += [f"connection #{number}: {p}" for p in conn.problems() if p not in shared]
            if conn in self._out:
                found.append(
                    f"connection #{number} was taken with getconn() and never given back with "
                    "putconn(): the pool has one connection less for good. Use `async with "
                    "pool.connection() as conn`."
                )
        waiting = [waiter for waiter in self._waiting if not waiter.gone]
        if waiting:
            found.append(f"{len(waiting)} caller(s) are still waiting for a connection.")
        return found

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<psycopg {type(self).__name__} {self.name!r} {state}, {len(self._out)} out>"
