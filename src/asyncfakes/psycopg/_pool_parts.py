"""The parts of the fake pools that are not the pool: the waiting callers, psycopg_pool's checks."""

from __future__ import annotations

import warnings
from collections import Counter, deque

from psycopg_pool import PoolTimeout, TooManyRequests

from asyncfakes import Event, Verifiable

from ._connection import FakeAsyncConnection

__all__ = ["PoolVerifiable", "Waiter", "WaitingLine", "checked_sizes", "warn_open_in_constructor"]


class PoolVerifiable(Verifiable):
    """A fake pool's ``verify()``: its report is titled ``pool.verify()``."""

    verify_title = "pool.verify()"

    def verify(self) -> None:
        """Fail with ``ExpectationsNotMet`` listing every problem of the pool and its connections."""
        __tracebackhide__ = True
        super().verify()


class Waiter:
    """A caller of ``getconn()`` waiting for a connection to come back."""

    __slots__ = ("conn", "error", "gone", "signal")

    def __init__(self) -> None:
        self.signal = Event()
        self.conn: FakeAsyncConnection | None = None
        self.error: BaseException | None = None
        self.gone = False  # gave up; stays queued (and counted) until a connection comes back


class WaitingLine:
    """The callers of ``getconn()`` waiting for a connection, first come first served (a pool's part)."""

    name: str
    max_waiting: int
    _waiting: deque[Waiter]
    _stats: Counter[str]
    _out: list[FakeAsyncConnection]
    _idle: deque[FakeAsyncConnection]

    async def _wait_for_one(self, timeout: float) -> FakeAsyncConnection:
        if self.max_waiting and len(self._waiting) >= self.max_waiting:
            self._stats["requests_errors"] += 1
            msg = f"the pool {self.name!r} has already {len(self._waiting)} requests waiting"
            raise TooManyRequests(msg)
        waiter = Waiter()
        self._waiting.append(waiter)
        self._stats["requests_queued"] += 1
        try:
            served = await waiter.signal.wait(timeout)
        except BaseException:
            self._give_up(waiter)
            raise
        if not served:
            self._give_up(waiter)
            self._stats["requests_errors"] += 1
            msg = f"couldn't get a connection after {timeout:.2f} sec"
            raise PoolTimeout(msg)
        if waiter.error is not None:
            raise waiter.error
        assert waiter.conn is not None
        return waiter.conn

    def _give_up(self, waiter: Waiter) -> None:
        # As psycopg_pool, a caller that gave up stays in the queue (get_stats() counts it as
        # waiting) until a returned connection skips it.
        waiter.gone = True
        if waiter.conn is not None:  # handed a connection as it gave up: keep it in the pool
            self._out.remove(waiter.conn)
            self._idle.append(waiter.conn)

    def _next_waiter(self) -> Waiter | None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.gone:
                return waiter
        return None

    def _serve(self, waiter: Waiter, conn: FakeAsyncConnection) -> None:
        waiter.conn = conn
        waiter.signal.set()


def checked_sizes(min_size: int, max_size: int | None) -> tuple[int, int]:
    """``min_size`` and ``max_size`` (``min_size`` when ``None``), refused as psycopg_pool refuses them."""
    if max_size is None:
        max_size = min_size
    if min_size < 0:
        msg = "min_size cannot be negative"
        raise ValueError(msg)
    if max_size < min_size:
        msg = "max_size must be greater or equal than min_size"
        raise ValueError(msg)
    if max_size == 0:
        msg = "if min_size is 0 max_size must be greater than 0"
        raise ValueError(msg)
    return min_size, max_size


def warn_open_in_constructor(driver_class: str, stacklevel: int) -> None:
    """psycopg_pool's warning for a pool opened by its constructor (``open=True``, or implicitly)."""
    warnings.warn(
        f"opening the async pool {driver_class} in the constructor is deprecated and will not "
        "be supported anymore in a future release. Please use `await pool.open()`, or use the pool "
        f"as context manager using: `async with {driver_class}(...) as pool: `...",
        RuntimeWarning,
        stacklevel=stacklevel,
    )
