"""A first-come, first-served hand-off that waits on asyncio or trio, with an optional timeout.

The core keeps its loop detection private, so the pool carries this small one: trio is used when
a trio run is active (found without importing trio), asyncio otherwise, each imported lazily.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["HandOff", "timeout_error"]

T = TypeVar("T")


def _running_trio() -> bool:
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True


def timeout_error() -> Exception:
    """The error asyncpg raises on a timeout: ``asyncio.TimeoutError`` (TimeoutError on 3.11+)."""
    import asyncio

    return asyncio.TimeoutError()


def _new_event() -> Any:
    if _running_trio():
        import trio

        return trio.Event()
    import asyncio

    return asyncio.Event()


async def _wait_for(event: Any, timeout: float | None) -> None:
    """Wait until ``event`` is set, or ``timeout`` seconds pass (no error then)."""
    if _running_trio():
        import trio

        with trio.move_on_after(math.inf if timeout is None else timeout):
            await event.wait()
    else:
        import asyncio

        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class _Waiter(Generic[T]):
    __slots__ = ("event", "item", "served")

    def __init__(self, event: Any) -> None:
        self.event = event
        self.item: T | None = None
        self.served = False


class HandOff(Generic[T]):
    """Items handed to waiting tasks in the order they started waiting."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: deque[_Waiter[T]] = deque()

    def give(self, item: T) -> bool:
        """Hand ``item`` to the longest-waiting task; ``False`` when nobody waits."""
        if not self._waiters:
            return False
        waiter = self._waiters.popleft()
        waiter.item, waiter.served = item, True
        waiter.event.set()
        return True

    def fail_all(self) -> None:
        """Wake every waiter empty-handed (``wait`` returns ``None`` to each)."""
        while self._waiters:
            self._waiters.popleft().event.set()

    async def wait(self, timeout: float | None, give_back: Callable[[T], object]) -> tuple[bool, T | None]:
        """Wait for an item: ``(True, item)``, or ``(False, None)`` on timeout or ``fail_all()``.

        If the waiting task is cancelled after an item was handed to it, ``give_back(item)``
        returns the item, so it is not lost.
        """
        waiter: _Waiter[T] = _Waiter(_new_event())
        self._waiters.append(waiter)
        try:
            await _wait_for(waiter.event, timeout)
        except BaseException:
            if waiter.served:
                give_back(waiter.item)  # type: ignore[arg-type]
            raise
        finally:
            self._forget(waiter)
        return waiter.served, waiter.item

    def _forget(self, waiter: _Waiter[T]) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)
