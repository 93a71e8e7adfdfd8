"""A first-come, first-served hand-off that waits on asyncio or trio, with an optional timeout.

Waiting itself is the core's loop-agnostic ``asyncfakes.Event``, so this works on asyncio and trio.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from asyncfakes import Event

__all__ = ["HandOff", "timeout_error"]

T = TypeVar("T")


def timeout_error() -> Exception:
    """The error asyncpg raises on a timeout: ``asyncio.TimeoutError`` (TimeoutError on 3.11+)."""
    import asyncio

    return asyncio.TimeoutError()


class _Waiter(Generic[T]):
    __slots__ = ("event", "item", "served")

    def __init__(self, event: Event) -> None:
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
        waiter: _Waiter[T] = _Waiter(Event())
        self._waiters.append(waiter)
        try:
            await waiter.event.wait(timeout)
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
