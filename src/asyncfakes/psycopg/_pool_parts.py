"""The parts of FakeAsyncConnectionPool that are not the pool: a waiting caller, psycopg_pool's checks."""

from __future__ import annotations

import warnings

from asyncfakes import Event, Verifiable

from ._connection import FakeAsyncConnection

__all__ = ["PoolVerifiable", "Waiter", "checked_sizes", "warn_open_in_constructor"]


class PoolVerifiable(Verifiable):
    """A fake pool's ``verify()``: its report is titled ``pool.verify()``."""

    def verify(self) -> None:
        """Fail with ``ExpectationsNotMet`` listing every problem of the pool and its connections."""
        __tracebackhide__ = True
        super().verify()

    def verify_report(self, found: list[str]) -> str:
        """``verify()``'s report: the numbered problems of the pool and its connections."""
        lines = [f"{len(found)} problem(s) found by pool.verify():"]
        lines += [f"  {i}. {text}" for i, text in enumerate(found, 1)]
        return "\n".join(lines)


class Waiter:
    """A caller of ``getconn()`` waiting for a connection to come back."""

    __slots__ = ("conn", "error", "gone", "signal")

    def __init__(self) -> None:
        self.signal = Event()
        self.conn: FakeAsyncConnection | None = None
        self.error: BaseException | None = None
        self.gone = False  # gave up; stays queued (and counted) until a connection comes back


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


def warn_open_in_constructor(stacklevel: int) -> None:
    """psycopg_pool's warning for a pool opened by its constructor (``open=True``, or implicitly)."""
    warnings.warn(
        "opening the async pool AsyncConnectionPool in the constructor is deprecated and will not "
        "be supported anymore in a future release. Please use `await pool.open()`, or use the pool "
        "as context manager using: `async with AsyncConnectionPool(...) as pool: `...",
        RuntimeWarning,
        stacklevel=stacklevel,
    )
